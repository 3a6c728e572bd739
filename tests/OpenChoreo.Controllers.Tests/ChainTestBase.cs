using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Testing;

namespace OpenChoreo.Controllers.Tests;

/// <summary>
/// A real SQLite store with the real controller manager running every reconciler of <c>AddOpenChoreoControllers</c>,
/// the default platform resources and a DataPlane named <c>default</c> (what an installation registers).
/// No delivery side runs: tests play its part through <see cref="SimulatedDeliverySide"/>.
/// </summary>
public abstract class ChainTestBase : IAsyncLifetime
{
    private StoreHost _host = null!;

    protected IResourceStore Store => _host.Store;

    protected SimulatedDeliverySide Delivery { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public const string DataPlaneYaml = """
        apiVersion: openchoreo.dev/v1alpha1
        kind: DataPlane
        metadata: {name: default, namespace: default}
        spec:
          agent: {enabled: true}
          gateway: {publicVirtualHost: apps.openchoreo.localhost, organizationVirtualHost: openchoreoapis.internal}
          secretStoreRef: {name: default}
        """;

    public async ValueTask InitializeAsync()
    {
        _host = await StoreHost.StartAsync(configure: s => s.AddOpenChoreoControllers());
        foreach (var o in DefaultResources.Load()) await Store.CreateAsync(o, Ct);
        await Apply(DataPlaneYaml);
        Delivery = new SimulatedDeliverySide(Store);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _listener?.Dispose();
    }

    private MeterListener? _listener;
    private readonly ConcurrentDictionary<(string Instrument, string Controller), long> _counters = new();

    /// <summary>Reconciles completed so far by controller <paramref name="name"/> of this test's host (its metrics).</summary>
    protected long Reconciles(string name) => Counter("openchoreo.controller.reconcile.count", name);

    /// <summary>Watch events controller <paramref name="name"/> dropped because only status changed (its metrics).</summary>
    protected long SkippedStatusOnly(string name) => Counter("openchoreo.controller.watch.status_only_skipped", name);

    private long Counter(string instrumentName, string controller)
    {
        if (_listener is null)
        {
            var factory = _host.Services.GetRequiredService<IMeterFactory>();
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Scope == factory && instrument.Meter.Name == Runtime.ControllerMetrics.MeterName) l.EnableMeasurementEvents(instrument);
                },
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (var t in tags)
                    if (t.Key == "controller" && t.Value is string c) _counters.AddOrUpdate((instrument.Name, c), value, (_, v) => v + value);
            });
            _listener.Start();
        }
        return _counters.GetValueOrDefault((instrumentName, controller));
    }

    protected static ResourceObject Yaml(string yaml) => new(YamlCodec.ReadOne(yaml)!.AsObject());

    protected Task<ResourceObject> Apply(string yaml) => Store.CreateAsync(Yaml(yaml), Ct);

    protected async Task ApplySample(string relativePath)
    {
        foreach (var o in Samples.Read(relativePath)) await Store.CreateAsync(o, Ct);
    }

    protected ResourceObject? Get(string kind, string name) => Store.GetAsync(new ResourceKey(kind, "default", name), Ct).GetAwaiter().GetResult();

    protected async Task<ResourceObject> WaitFor(string kind, string name, Func<ResourceObject, bool> condition, string what)
    {
        ResourceObject? last = null;
        try
        {
            await Eventually.WaitUntilAsync(() => (last = Get(kind, name)) is { } o && condition(o), $"{kind} {name}: {what}", Timeout, Ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last: {last?.ToJson() ?? "(none)"}", e);
        }
        return last!;
    }

    protected async Task WaitGone(string kind, string name) =>
        await Eventually.WaitUntilAsync(() => Get(kind, name) is null, $"{kind} {name} is gone", Timeout, Ct);

    /// <summary>
    /// Waits until condition <paramref name="type"/> of the object has the status and reason (and, if given, a message
    /// that <paramref name="message"/> accepts); returns it.
    /// </summary>
    protected async Task<Condition> WaitForCondition(string kind, string name, string type, string status, string reason, Func<string, bool>? message = null)
    {
        Condition? last = null;
        try
        {
            await Eventually.WaitUntilAsync(() =>
            {
                var o = Get(kind, name);
                last = o is null ? null : Conditions.Get(o, type);
                return last?.Status == status && last.Reason == reason && (message is null || message(last.Message));
            }, $"{kind} {name} {type}={status} ({reason})", Timeout, Ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last: {last?.ToString() ?? "(none)"}", e);
        }
        return last!;
    }

    /// <summary>Waits until the binding's Release is created and in sync (ReleaseCreated flips to ReleaseSynced on the next pass).</summary>
    protected async Task WaitForSynced(string binding)
    {
        await WaitFor("Release", binding, _ => true, "the Release exists");
        await WaitFor("ReleaseBinding", binding, b => Conditions.Get(b, ReleaseBindingReasons.ReleaseSynced) is { IsTrue: true }, "ReleaseSynced=True");
    }

    /// <summary>Reads, edits and writes the main resource, retrying on a concurrent write.</summary>
    protected async Task Edit(string kind, string name, Action<ResourceObject> edit)
    {
        for (var attempt = 0; ; attempt++)
        {
            var o = Get(kind, name) ?? throw new InvalidOperationException($"{kind} {name} not found");
            edit(o);
            try
            {
                await Store.UpdateAsync(o, UpdateScope.Main, Ct);
                return;
            }
            catch (ApiException e) when (e.Code == 409 && attempt < 20)
            {
            }
        }
    }

    protected static JsonObject ResourceOf(ResourceObject release, string kind) =>
        (JsonObject)((JsonArray)release.Spec!["resources"]!).Single(r => (string?)r!["object"]!["kind"] == kind)!["object"]!;
}
