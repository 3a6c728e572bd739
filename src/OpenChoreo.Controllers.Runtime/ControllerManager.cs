using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers.Runtime;

/// <summary>
/// Runs every registered reconciler while this replica leads: list + watch of the reconciled kind and its secondary
/// kinds feed a per-controller <see cref="WorkQueue{T}"/>; workers reconcile with bounded parallelism (never the same
/// key twice at once); results requeue; a periodic resync re-lists. A watch that falls behind the store's history
/// (410) relists. Leadership loss cancels everything; the next leader starts from a fresh list.
/// </summary>
public sealed partial class ControllerManager(IEnumerable<IReconciler> reconcilers, IResourceStore store, LeaderElection election,
    ControllerMetrics metrics, TimeProvider time, ILogger<ControllerManager> logger) : BackgroundService
{
    private readonly IReconciler[] _reconcilers = reconcilers.ToArray();

    protected override Task ExecuteAsync(CancellationToken stopping)
    {
        election.OnStartedLeading(term => _ = Task.Run(() => LeadAsync(term, stopping), stopping));
        return Task.CompletedTask;
    }

    private async Task LeadAsync(CancellationToken term, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(term, stopping);
        var ct = linked.Token;
        try
        {
            await Task.WhenAll(_reconcilers.Select(r => RunControllerAsync(r, ct)));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RunControllerAsync(IReconciler r, CancellationToken ct)
    {
        using var queue = new WorkQueue<ResourceKey>(time);
        metrics.TrackQueue(r.Name, () => queue.Depth);
        var tasks = new List<Task>
        {
            WatchLoopAsync(r, r.Kind, (o, _) => Task.FromResult<IEnumerable<ResourceKey>>([ResourceKey.Of(o)]), r.IgnoresStatusOnlyChanges, queue, ct),
            ResyncLoopAsync(r, queue, ct),
        };
        tasks.AddRange(r.Watches.Select(w => WatchLoopAsync(r, w.Kind, (o, c) => w.Map(o, store, c), w.IgnoreStatusOnly, queue, ct)));
        tasks.AddRange(Enumerable.Range(0, Math.Max(1, r.MaxConcurrency)).Select(_ => WorkerAsync(r, queue, ct)));
        LogControllerStarted(logger, r.Name);
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task WorkerAsync(IReconciler r, WorkQueue<ResourceKey> queue, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var key = await queue.TakeAsync(ct);
            var start = Stopwatch.GetTimestamp();
            ReconcileResult result;
            try
            {
                result = await r.ReconcileAsync(key, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                queue.Done(key);
                return;
            }
            catch (Exception e)
            {
                // A bug or an unexpected failure: log it and back off, as for a returned failure.
                LogReconcileThrew(logger, e, r.Name, key.ToString());
                result = ReconcileResult.Retry(e.Message);
            }
            metrics.Reconciled(r.Name, Stopwatch.GetElapsedTime(start).TotalMilliseconds, result.Failed);
            queue.Done(key);
            if (result.Failed)
            {
                var delay = queue.AddRateLimited(key);
                LogReconcileFailed(logger, r.Name, key.ToString(), result.Error ?? "", delay);
            }
            else
            {
                queue.Forget(key);
                if (result.RequeueAfter is { } after) queue.AddAfter(key, after);
            }
        }
    }

    private async Task WatchLoopAsync(IReconciler r, string kind, Func<ResourceObject, CancellationToken, Task<IEnumerable<ResourceKey>>> map,
        bool ignoreStatusOnly, WorkQueue<ResourceKey> queue, CancellationToken ct)
    {
        var retry = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await store.ListAsync(new ListOptions(kind), ct);
                var filter = ignoreStatusOnly ? new StatusOnlyFilter() : null;
                foreach (var o in list.Items)
                {
                    filter?.IsStatusOnly(WatchEventType.Added, o);
                    foreach (var k in await map(o, ct)) queue.Add(k);
                }
                await foreach (var e in store.WatchAsync(new ListOptions(kind), list.ResourceVersion, ct))
                {
                    if (filter?.IsStatusOnly(e.Type, e.Object) == true)
                    {
                        metrics.SkippedStatusOnly(r.Name);
                        continue;
                    }
                    foreach (var k in await map(e.Object, ct)) queue.Add(k);
                }
                retry = TimeSpan.FromMilliseconds(200);
            }
            catch (ApiException e) when (e.Code == 410)
            {
                // Fell behind the retained history: relist.
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWatchFailed(logger, e, r.Name, kind);
                await Task.Delay(retry, time, ct);
                retry = TimeSpan.FromMilliseconds(Math.Min(retry.TotalMilliseconds * 2, 10_000));
            }
        }
    }

    private async Task ResyncLoopAsync(IReconciler r, WorkQueue<ResourceKey> queue, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(r.ResyncPeriod, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                foreach (var o in (await store.ListAsync(new ListOptions(r.Kind), ct)).Items) queue.Add(ResourceKey.Of(o));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWatchFailed(logger, e, r.Name, r.Kind);
            }
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Controller {Controller} started")]
    private static partial void LogControllerStarted(ILogger logger, string controller);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Controller {Controller}: reconciling {Key} failed: {Error}; retrying in {Delay}")]
    private static partial void LogReconcileFailed(ILogger logger, string controller, string key, string error, TimeSpan delay);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Controller {Controller}: reconciling {Key} threw")]
    private static partial void LogReconcileThrew(ILogger logger, Exception e, string controller, string key);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Controller {Controller}: watch of {Kind} failed; re-listing")]
    private static partial void LogWatchFailed(ILogger logger, Exception e, string controller, string kind);
}
