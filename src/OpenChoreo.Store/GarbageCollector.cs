using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;

namespace OpenChoreo.Store;

/// <summary>
/// Deletes what nothing owns any more: (a) objects whose ownerReferences all name uids that no longer exist
/// (background cascade; each deletion's own event carries the cascade down the chain), and (b) every object in
/// namespace X once the cluster-scoped Organization X is deleted. Reacts to Deleted events from a watch, and runs a
/// full sweep at start, periodically and whenever its watch was lost, as a safety net. Deletions are guarded by the
/// dependent's uid, so replicas running their own collector cannot delete a re-created object.
/// </summary>
public sealed class GarbageCollector(
    ResourceStoreBase store,
    IOptions<GarbageCollectorOptions> options,
    TimeProvider time,
    ILogger<GarbageCollector> logger) : BackgroundService
{
    private readonly GarbageCollectorOptions _options = options.Value;
    private readonly SemaphoreSlim _sweepRequested = new(0, 1);
    private readonly RecentDeletions _recent = new(time, TimeSpan.FromMinutes(2), capacity: 10_000);

    /// <summary>Completed sweeps since start (lets tests and diagnostics wait on one).</summary>
    public int SweepCount => Volatile.Read(ref _sweeps);
    private int _sweeps;

    /// <summary>The store's revision when the collector started: its watch begins there, so no write after start is missed.</summary>
    private long _startRevision;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // ExecuteAsync runs in the background, so its watch may subscribe later than this returns.
        try
        {
            _startRevision = await store.GetRevisionAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StoreLog.GcFailed(logger, e); // the watch starts live and the first sweep covers the gap
        }
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(WatchLoopAsync(stoppingToken), SweepLoopAsync(stoppingToken));

    /// <summary>Runs one full sweep now and returns how many objects it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var all = await store.ListAsync(new ListOptions(ListOptions.AllKinds), ct);
        var uids = new HashSet<string>(all.Items.Select(o => o.Uid ?? ""), StringComparer.Ordinal);
        var organizations = all.Items
            .Where(o => o.Kind == _options.OrganizationKind && o.Namespace.Length == 0)
            .Select(o => o.Name)
            .ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var obj in all.Items)
        {
            if (obj.DeletionTimestamp is not null) continue;
            var orphanedNamespace = _options.SweepNamespacesWithoutOrganization && obj.Namespace.Length > 0 &&
                !organizations.Contains(obj.Namespace) && !_options.ProtectedNamespaces.Contains(obj.Namespace) &&
                !(_options.ProtectedNamespacePrefix.Length > 0 && obj.Namespace.StartsWith(_options.ProtectedNamespacePrefix, StringComparison.Ordinal));
            var owners = obj.OwnerReferences;
            var ownersGone = owners.Count > 0 && owners.All(o => !uids.Contains(o.Uid));
            if (orphanedNamespace && await store.GetAsync(new ResourceKey(_options.OrganizationKind, "", obj.Namespace), ct) is not null)
            {
                orphanedNamespace = false; // created since the snapshot
            }
            if (ownersGone) ownersGone = await AllOwnersGoneAsync(obj, ct);
            if ((orphanedNamespace || ownersGone) && await DeleteGuardedAsync(obj, ct)) deleted++;
        }
        Interlocked.Increment(ref _sweeps);
        if (deleted > 0) StoreLog.SweepDeleted(logger, deleted);
        return deleted;
    }

    private async Task WatchLoopAsync(CancellationToken ct)
    {
        var from = _startRevision; // 0: live events only
        while (!ct.IsCancellationRequested)
        {
            var progressed = false;
            try
            {
                await foreach (var e in store.WatchAsync(new ListOptions(ListOptions.AllKinds), from, ct))
                {
                    if (e.Type == WatchEventType.Deleted) await OnDeletedAsync(e.Object, ct);
                    else if (!_recent.IsEmpty) await OnWrittenAfterDeletionAsync(e.Object, ct);
                    from = e.ResourceVersion;
                    progressed = true;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (from > 0 && progressed)
            {
                // Fell behind (a large cascade fills the buffer) or a read failed: the history from the last event
                // handled fills the gap, so nothing is missed and what was deleted meanwhile stays remembered.
                StoreLog.WatchResuming(logger, from, ex);
            }
            catch (Exception ex)
            {
                // No position to resume from, or its history is compacted: events may have been missed, the sweep
                // catches up.
                StoreLog.WatchLost(logger, ex);
                from = 0;
                RequestSweep();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SweepLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                StoreLog.GcFailed(logger, ex);
            }
            using var interval = new CancellationTokenSource(_options.SweepInterval, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, interval.Token);
            try
            {
                await _sweepRequested.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The interval elapsed: sweep again.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void RequestSweep()
    {
        try
        {
            _sweepRequested.Release();
        }
        catch (SemaphoreFullException)
        {
            // A sweep is already pending.
        }
    }

    private async Task OnDeletedAsync(ResourceObject deleted, CancellationToken ct)
    {
        if (deleted.Uid is { Length: > 0 } uid)
        {
            _recent.Add(uid);
            foreach (var dependent in await store.FindDependentsAsync(uid, ct))
            {
                if (dependent.DeletionTimestamp is null && await AllOwnersGoneAsync(dependent, ct))
                {
                    await DeleteGuardedAsync(dependent, ct);
                }
            }
        }
        if (deleted.Kind == _options.OrganizationKind && deleted.Namespace.Length == 0)
        {
            var ns = deleted.Name;
            _recent.Add(OrganizationKey(ns));
            // A new Organization of the same name owns the namespace now.
            if (await store.GetAsync(new ResourceKey(_options.OrganizationKind, "", ns), ct) is not null) return;
            StoreLog.EmptyingNamespace(logger, ns);
            var contents = await store.ListAsync(new ListOptions(ListOptions.AllKinds, ns), ct);
            foreach (var obj in contents.Items)
            {
                if (obj.DeletionTimestamp is null) await DeleteGuardedAsync(obj, ct);
            }
        }
    }

    /// <summary>
    /// An object created or changed after the cascade for its owner (or its Organization) ran: a writer that read the
    /// owner before it went. Deleting it now spares it waiting for the next sweep.
    /// </summary>
    private async Task OnWrittenAfterDeletionAsync(ResourceObject obj, CancellationToken ct)
    {
        if (obj.DeletionTimestamp is not null) return;
        var owners = obj.OwnerReferences;
        var ownerGone = owners.Count > 0 && owners.Any(o => _recent.Contains(o.Uid)) && await AllOwnersGoneAsync(obj, ct);
        var organizationGone = !ownerGone && obj.Namespace.Length > 0 && _recent.Contains(OrganizationKey(obj.Namespace)) &&
            await store.GetAsync(new ResourceKey(_options.OrganizationKind, "", obj.Namespace), ct) is null;
        if (ownerGone || organizationGone) await DeleteGuardedAsync(obj, ct);
    }

    private static string OrganizationKey(string name) => "organization/" + name;

    private async Task<bool> AllOwnersGoneAsync(ResourceObject obj, CancellationToken ct)
    {
        foreach (var owner in obj.OwnerReferences)
        {
            if (await store.UidExistsAsync(owner.Uid, ct)) return false;
        }
        return true;
    }

    private async Task<bool> DeleteGuardedAsync(ResourceObject obj, CancellationToken ct)
    {
        try
        {
            var result = await store.DeleteAsync(ResourceKey.Of(obj), expectedUid: obj.Uid, ct: ct);
            if (result is null) return false;
            StoreLog.DeletedOrphan(logger, ResourceKey.Of(obj));
            return true;
        }
        catch (ApiException e) when (e.Code == 409)
        {
            return false; // replaced by a new object of the same name
        }
    }
}
