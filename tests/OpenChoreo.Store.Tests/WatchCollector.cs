namespace OpenChoreo.Store.Tests;

/// <summary>Consumes a watch in the background and lets the test wait for what it received.</summary>
internal sealed class WatchCollector : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<WatchEvent> _events = [];
    private readonly Task _pump;

    public WatchCollector(IResourceStore store, ListOptions options, long from)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.WatchAsync(options, from, _cts.Token))
                {
                    lock (_events) _events.Add(e);
                }
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Error = ex;
            }
        });
    }

    public Exception? Error { get; private set; }

    public IReadOnlyList<WatchEvent> Events
    {
        get
        {
            lock (_events) return _events.ToArray();
        }
    }

    public async Task<IReadOnlyList<WatchEvent>> WaitForAsync(int count, int seconds = 20)
    {
        await Eventually.TrueAsync(() => Task.FromResult(Events.Count >= count || Error is not null),
            $"{count} watch events arrived", seconds);
        if (Error is not null) throw new InvalidOperationException("the watch failed", Error);
        return Events;
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        await _pump;
        _cts.Dispose();
    }
}
