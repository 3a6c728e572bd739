namespace OpenChoreo.Controllers.Runtime;

/// <summary>
/// A de-duplicating work queue with the semantics of client-go's: a key queued twice is processed once; a key is never
/// handed to two workers at once (a change arriving while it is processed queues it again afterwards); delayed adds
/// keep only the earliest due time; failures back off exponentially per key.
/// </summary>
public sealed class WorkQueue<T> : IDisposable where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _ready = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly Dictionary<T, int> _failures = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _baseBackoff;
    private readonly TimeSpan _maxBackoff;
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    public WorkQueue(TimeProvider time, TimeSpan? baseBackoff = null, TimeSpan? maxBackoff = null)
    {
        _time = time;
        _baseBackoff = baseBackoff ?? TimeSpan.FromMilliseconds(100);
        _maxBackoff = maxBackoff ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>Keys waiting to be processed (ready now), not counting delayed ones.</summary>
    public int Depth
    {
        get { lock (_lock) return _ready.Count; }
    }

    public int DelayedCount
    {
        get { lock (_lock) return _delayed.Count; }
    }

    public void Add(T key)
    {
        lock (_lock)
        {
            if (_disposed || !_dirty.Add(key)) return;
            if (_processing.Contains(key)) return;
            _ready.Enqueue(key);
            Wake();
        }
    }

    /// <summary>Adds the key after a delay; an earlier pending delay for the same key wins.</summary>
    public void AddAfter(T key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        lock (_lock)
        {
            if (_disposed) return;
            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var existing))
            {
                if (existing.Due <= due) return;
                existing.Timer.Dispose();
            }
            var timer = _time.CreateTimer(static state =>
            {
                var (queue, k) = ((WorkQueue<T>, T))state!;
                queue.FireDelayed(k);
            }, (this, key), delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Adds the key after its per-key backoff (100 ms doubling up to 5 min by default).</summary>
    public TimeSpan AddRateLimited(T key)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var n = _failures.TryGetValue(key, out var f) ? f : 0;
            _failures[key] = n + 1;
            var ms = _baseBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(n, 30));
            delay = TimeSpan.FromMilliseconds(Math.Min(ms, _maxBackoff.TotalMilliseconds));
        }
        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Clears the key's failure count (call after a successful reconcile).</summary>
    public void Forget(T key)
    {
        lock (_lock) _failures.Remove(key);
    }

    public int Failures(T key)
    {
        lock (_lock) return _failures.GetValueOrDefault(key);
    }

    /// <summary>Waits for the next key; the caller must call <see cref="Done"/> when finished with it.</summary>
    public async ValueTask<T> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_ready.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return key;
                }
                wait = _signal.Task;
            }
            await wait.WaitAsync(ct);
        }
    }

    public void Done(T key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key))
            {
                _ready.Enqueue(key);
                Wake();
            }
        }
    }

    private void FireDelayed(T key)
    {
        lock (_lock)
        {
            if (_delayed.Remove(key, out var entry)) entry.Timer.Dispose();
        }
        Add(key);
    }

    private void Wake()
    {
        var s = _signal;
        _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        s.TrySetResult();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var (_, (_, timer)) in _delayed) timer.Dispose();
            _delayed.Clear();
            _signal.TrySetCanceled();
        }
    }
}
