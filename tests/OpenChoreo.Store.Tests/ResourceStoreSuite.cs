using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Tests;

/// <summary>
/// The behaviour every back end must have. A subclass per back end supplies stores; each test works in its own
/// namespace so tests of one class can share a database.
/// </summary>
public abstract partial class ResourceStoreSuite : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _disposables = [];

    protected static readonly DateTimeOffset Epoch = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    protected string Ns { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    internal ManualTime Time { get; } = new(Epoch);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new store instance on this class's database (or file).</summary>
    protected abstract ResourceStoreBase CreateStore(ResourceStoreOptions options, TimeProvider time);

    protected ResourceStoreBase NewStore(Action<ResourceStoreOptions>? configure = null)
    {
        var options = new ResourceStoreOptions();
        configure?.Invoke(options);
        var store = CreateStore(options, Time);
        _disposables.Add(store);
        return store;
    }

    protected GarbageCollector StartCollector(ResourceStoreBase store, Action<GarbageCollectorOptions>? configure = null)
    {
        var options = new GarbageCollectorOptions { SweepInterval = TimeSpan.FromMinutes(10) };
        configure?.Invoke(options);
        var gc = new GarbageCollector(store, Options.Create(options), TimeProvider.System, NullLogger<GarbageCollector>.Instance);
        gc.StartAsync(Ct).GetAwaiter().GetResult();
        _disposables.Add(new AsyncDisposable(async () =>
        {
            await gc.StopAsync(CancellationToken.None);
            gc.Dispose();
        }));
        return gc;
    }

    internal WatchCollector Watch(IResourceStore store, ListOptions options, long from)
    {
        var w = new WatchCollector(store, options, from);
        _disposables.Add(w);
        return w;
    }

    protected ResourceObject Obj(string name, string kind = "Component", string? ns = null,
        Dictionary<string, string>? labels = null, JsonObject? spec = null)
    {
        var o = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = "openchoreo.dev/v1alpha1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec ?? new JsonObject { ["replicas"] = 1 },
        });
        o.Namespace = ns ?? Ns;
        foreach (var (k, v) in labels ?? []) o.SetLabel(k, v);
        return o;
    }

    protected ResourceKey Key(string name, string kind = "Component", string? ns = null) => new(kind, ns ?? Ns, name);

    protected static async Task<ApiException> Throws(Func<Task> action)
    {
        var e = await Should.ThrowAsync<ApiException>(action);
        return e;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--) await _disposables[i].DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private sealed class AsyncDisposable(Func<ValueTask> dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => dispose();
    }
}
