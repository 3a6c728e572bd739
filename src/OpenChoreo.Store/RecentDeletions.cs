namespace OpenChoreo.Store;

/// <summary>
/// What was deleted lately (uids, and names of deleted Organizations), kept for a bounded time and count. The garbage
/// collector checks new and changed objects against it: a controller that was mid-reconcile when an owner went can
/// still create a dependent that points at the gone uid (or an object in the emptied namespace) after the cascade ran,
/// and without this memory only the next full sweep would find it.
/// </summary>
internal sealed class RecentDeletions(TimeProvider time, TimeSpan keepFor, int capacity)
{
    private readonly Dictionary<string, DateTimeOffset> _expiry = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, DateTimeOffset Expiry)> _order = new();

    public void Add(string key)
    {
        Evict();
        var expiry = time.GetUtcNow() + keepFor;
        _expiry[key] = expiry;
        _order.Enqueue((key, expiry));
        while (_order.Count > capacity) Drop(_order.Dequeue());
    }

    public bool Contains(string key)
    {
        Evict();
        return _expiry.ContainsKey(key);
    }

    public bool IsEmpty => _expiry.Count == 0;

    private void Evict()
    {
        var now = time.GetUtcNow();
        while (_order.TryPeek(out var head) && head.Expiry <= now) Drop(_order.Dequeue());
    }

    // A key re-added later has a later expiry: only the entry that set the current expiry removes it.
    private void Drop((string Key, DateTimeOffset Expiry) entry)
    {
        if (_expiry.TryGetValue(entry.Key, out var current) && current == entry.Expiry) _expiry.Remove(entry.Key);
    }
}
