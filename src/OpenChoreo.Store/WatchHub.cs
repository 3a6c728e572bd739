using System.Threading.Channels;

namespace OpenChoreo.Store;

/// <summary>
/// The in-process fan-out of committed events to watchers. Events must be published once each, in revision order.
/// Publishing never blocks: each watcher has a bounded buffer, and a watcher whose buffer is full is cut off (it
/// then ends with 410 so that its client relists) instead of slowing writers or other watchers.
/// </summary>
public sealed class WatchHub
{
    private readonly Lock _lock = new();
    private Subscription[] _subscribers = [];
    private long _lastPublished;

    public WatchHub(long startRevision) => _lastPublished = startRevision;

    /// <summary>The revision of the last published event (everything up to it is in the event log).</summary>
    public long LastPublished => Volatile.Read(ref _lastPublished);

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>
    /// Registers a watcher. It receives every event published after <paramref name="startRevision"/>; everything up
    /// to that revision must be read from the event log.
    /// </summary>
    public Subscription Subscribe(ListOptions options, int bufferSize, out long startRevision)
    {
        var sub = new Subscription(this, options, bufferSize);
        lock (_lock)
        {
            startRevision = _lastPublished;
            _subscribers = [.. _subscribers, sub];
        }
        return sub;
    }

    /// <summary>Publishes committed events in revision order; events at or below the last published are ignored.</summary>
    public void Publish(IReadOnlyList<EventRecord> events)
    {
        lock (_lock)
        {
            foreach (var e in events)
            {
                if (e.Revision <= _lastPublished) continue;
                foreach (var sub in _subscribers) sub.Offer(e);
                _lastPublished = e.Revision;
            }
        }
    }

    /// <summary>Moves the published position forward without events (a back end that found nothing to publish).</summary>
    public void Advance(long revision)
    {
        lock (_lock)
        {
            if (revision > _lastPublished) _lastPublished = revision;
        }
    }

    private void Remove(Subscription sub)
    {
        lock (_lock)
        {
            _subscribers = _subscribers.Where(s => s != sub).ToArray();
        }
    }

    /// <summary>One watcher's buffer of already-filtered events.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly WatchHub _hub;
        private readonly ListOptions _options;
        private readonly Channel<(EventRecord Record, WatchEventType Type)> _channel;

        internal Subscription(WatchHub hub, ListOptions options, int bufferSize)
        {
            _hub = hub;
            _options = options;
            _channel = Channel.CreateBounded<(EventRecord, WatchEventType)>(
                new BoundedChannelOptions(bufferSize) { SingleReader = true, SingleWriter = true });
        }

        /// <summary>True once the buffer overflowed: the watcher missed events and must relist.</summary>
        public bool Overflowed { get; private set; }

        public ChannelReader<(EventRecord Record, WatchEventType Type)> Reader => _channel.Reader;

        internal void Offer(EventRecord e)
        {
            if (Overflowed || WatchFilter.Classify(_options, e) is not { } type) return;
            if (_channel.Writer.TryWrite((e, type))) return;
            Overflowed = true;
            _channel.Writer.TryComplete();
        }

        public void Dispose()
        {
            _hub.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
