using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenChoreo.Store;

/// <summary>
/// Trims the event log to <see cref="WatchHistoryOptions"/>: at each tick it notes the current revision, and
/// compacts up to whichever is newer of (current − MaxRevisions) and the revision noted MaxAge ago.
/// </summary>
public sealed class WatchHistoryCompactor(
    IResourceStore store,
    IOptions<WatchHistoryOptions> options,
    TimeProvider time,
    ILogger<WatchHistoryCompactor> logger) : BackgroundService
{
    private readonly WatchHistoryOptions _options = options.Value;
    private readonly Queue<(DateTimeOffset At, long Revision)> _marks = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval, time);
        do
        {
            try
            {
                await CompactOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                StoreLog.CompactionFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Applies the retention once; returns the revision compacted up to (0 when nothing was dropped).</summary>
    public async Task<long> CompactOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var current = await store.GetRevisionAsync(ct);
        _marks.Enqueue((now, current));
        long byAge = 0;
        while (_marks.Count > 0 && now - _marks.Peek().At >= _options.MaxAge) byAge = _marks.Dequeue().Revision;
        var keepAfter = Math.Max(current - _options.MaxRevisions, byAge);
        if (keepAfter <= 0) return 0;
        await store.CompactAsync(keepAfter, ct);
        StoreLog.Compacted(logger, keepAfter);
        return keepAfter;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
