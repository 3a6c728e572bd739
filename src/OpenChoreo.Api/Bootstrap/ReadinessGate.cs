namespace OpenChoreo.Api.Bootstrap;

/// <summary>Ready once every start-up step (bootstrap of default resources, the first admin token) has finished.</summary>
public sealed class ReadinessGate
{
    private int _pending;
    private volatile bool _started;

    public bool IsReady => _started && Volatile.Read(ref _pending) == 0;

    /// <summary>Registers a step that must finish before the server reports ready; dispose the result when done.</summary>
    public IDisposable Hold()
    {
        Interlocked.Increment(ref _pending);
        return new Release(this);
    }

    /// <summary>Called once every step has had the chance to register.</summary>
    public void MarkStarted() => _started = true;

    private sealed class Release(ReadinessGate gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) Interlocked.Decrement(ref gate._pending);
        }
    }
}
