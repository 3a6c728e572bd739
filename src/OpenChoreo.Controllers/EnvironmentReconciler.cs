using Microsoft.Extensions.Logging;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers;

/// <summary>
/// Environment controller: a Ready condition (DataPlaneNotConfigured / DataPlaneNotFound) and an orderly teardown.
/// The finalizer <see cref="Finalizer"/> holds a deleting Environment until no ReleaseBinding names it and no Release
/// targets it, so nothing stays delivered to a plane for an environment that no longer exists.
/// <para>How the wait ends: bindings have no finalizers and go at once; their Releases (and any stray Release of the
/// environment, deleted here too) go when the delivery side has removed their objects from the plane, or — when the
/// plane or its DataPlane is gone — when the delivery side gives them up as Orphaned. No step waits on this
/// controller itself.</para>
/// </summary>
public sealed partial class EnvironmentReconciler(IResourceStore store, TimeProvider time, ILogger<EnvironmentReconciler> logger) : IReconciler
{
    public const string Finalizer = "openchoreo.dev/environment-cleanup";

    private static readonly TimeSpan TeardownPoll = TimeSpan.FromSeconds(2);

    public string Name => "environment";

    public string Kind => "Environment";

    public IReadOnlyList<SecondaryWatch> Watches =>
    [
        new("DataPlane", async (dp, s, ct) => (await s.ListAsync(new ListOptions(Kind, dp.Namespace)
            { Filter = e => Lookups.Str(e.Spec, "dataPlaneRef") == dp.Name }, ct)).Items.Select(ResourceKey.Of)),
        // During teardown, the departure of each binding and release moves the wait along.
        new("ReleaseBinding", (b, s, ct) => IfDeletingAsync(s, b.Namespace, Lookups.Str(b.Spec, "environment"), ct)),
        new("Release", (r, s, ct) => IfDeletingAsync(s, r.Namespace, Lookups.Str(r.Spec, "environmentName"), ct)),
    ];

    private async Task<IEnumerable<ResourceKey>> IfDeletingAsync(IResourceStore s, string ns, string? env, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(env)) return [];
        var key = new ResourceKey(Kind, ns, env);
        return await s.GetAsync(key, ct) is { DeletionTimestamp: not null } ? [key] : [];
    }

    public async Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct)
    {
        var env = await store.GetAsync(key, ct);
        if (env is null) return ReconcileResult.Done;
        try
        {
            return env.DeletionTimestamp is null ? await ReconcileLiveAsync(env, ct) : await TeardownAsync(env, ct);
        }
        catch (ApiException e) when (e.Code == 409)
        {
            return ReconcileResult.After(TimeSpan.FromMilliseconds(50));
        }
    }

    private async Task<ReconcileResult> ReconcileLiveAsync(ResourceObject env, CancellationToken ct)
    {
        env = await Finalizers.EnsureAsync(store, env, Finalizer, ct);
        var dpName = Lookups.Str(env.Spec, "dataPlaneRef");
        Condition ready;
        if (string.IsNullOrEmpty(dpName))
            ready = new Condition("Ready", Condition.False, ReleaseBindingReasons.DataPlaneNotConfigured, "spec.dataPlaneRef is not set");
        else if (await store.GetAsync(new ResourceKey("DataPlane", env.Namespace, dpName), ct) is null)
            ready = new Condition("Ready", Condition.False, ReleaseBindingReasons.DataPlaneNotFound, $"DataPlane \"{dpName}\" not found in namespace \"{env.Namespace}\"");
        else
            ready = new Condition("Ready", Condition.True, "Ready", $"deploys to DataPlane \"{dpName}\"");
        await StatusWriter.SetAsync(store, env, time.GetUtcNow(), ct, ready);
        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> TeardownAsync(ResourceObject env, CancellationToken ct)
    {
        if (!env.Finalizers.Contains(Finalizer)) return ReconcileResult.Done;
        var ns = env.Namespace;
        // Bindings first, so no binding re-creates a Release deleted below.
        var bindings = await Finalizers.DeleteAllAsync(store, "ReleaseBinding", ns, b => Lookups.Str(b.Spec, "environment") == env.Name, ct);
        var releases = await Finalizers.DeleteAllAsync(store, "Release", ns, r => Lookups.Str(r.Spec, "environmentName") == env.Name, ct);
        if (bindings + releases > 0)
        {
            LogTeardownWaiting(logger, env.ToString(), bindings, releases);
            return ReconcileResult.After(TeardownPoll);
        }
        await Finalizers.RemoveAsync(store, env, Finalizer, ct);
        LogTeardownDone(logger, env.ToString());
        return ReconcileResult.Done;
    }

    [LoggerMessage(EventId = 3120, Level = LogLevel.Debug, Message = "{Environment}: deleting; waiting for {Bindings} binding(s) and {Releases} release(s) to go")]
    private static partial void LogTeardownWaiting(ILogger logger, string environment, int bindings, int releases);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Information, Message = "{Environment}: nothing left deployed; finalizer removed")]
    private static partial void LogTeardownDone(ILogger logger, string environment);
}
