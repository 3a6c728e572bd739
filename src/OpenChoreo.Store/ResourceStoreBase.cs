using System.Runtime.CompilerServices;
using OpenChoreo.Model;

namespace OpenChoreo.Store;

/// <summary>
/// The <see cref="IResourceStore"/> semantics on top of a few storage primitives a back end provides: one
/// serialized write transaction (<see cref="ExecuteWriteAsync"/>), reads, and the event log. Back ends publish the
/// events they commit to <see cref="Hub"/> in revision order.
/// </summary>
public abstract class ResourceStoreBase : IResourceStore, IAsyncDisposable
{
    private readonly TimeProvider _time;
    private Task? _init;
    private readonly Lock _initLock = new();

    protected ResourceStoreBase(ResourceStoreOptions options, TimeProvider time)
    {
        Options = options;
        _time = time;
    }

    protected ResourceStoreOptions Options { get; }

    /// <summary>The in-process fan-out; created by the back end once it knows the current revision.</summary>
    protected WatchHub Hub { get; set; } = new(0);

    /// <summary>Creates or migrates the schema and starts background work. Called once, before the first operation.</summary>
    protected abstract Task InitializeAsync(CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="planner"/> against the current row of <paramref name="key"/> inside one write
    /// transaction that holds the store's revision (so revisions are assigned in commit order), applies its decision
    /// (row + event) and commits; then makes the event visible to watchers. A decision of
    /// <see cref="WriteAction.None"/> writes nothing and consumes no revision.
    /// </summary>
    protected abstract Task<WriteDecision> ExecuteWriteAsync(ResourceKey key, WritePlanner planner, CancellationToken ct);

    protected abstract Task<StoredObject?> ReadAsync(ResourceKey key, CancellationToken ct);

    /// <summary>Rows of one kind (or every kind for "*"), optionally one namespace, plus the revision of that snapshot.</summary>
    protected abstract Task<(IReadOnlyList<StoredObject> Rows, long Revision)> ReadManyAsync(string kind, string? ns,
        CancellationToken ct);

    /// <summary>Events with <paramref name="after"/> &lt; revision &lt;= <paramref name="upTo"/>, oldest first, at most <paramref name="limit"/>.</summary>
    protected abstract Task<IReadOnlyList<EventRecord>> ReadEventsAsync(long after, long upTo, int limit, CancellationToken ct);

    /// <summary>The highest revision whose event has been compacted away (0 when none).</summary>
    protected abstract Task<long> ReadCompactedRevisionAsync(CancellationToken ct);

    protected abstract Task<long> ReadRevisionAsync(CancellationToken ct);

    protected abstract Task CompactCoreAsync(long keepAfterRevision, CancellationToken ct);

    /// <summary>Rows whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    protected abstract Task<IReadOnlyList<StoredObject>> ReadDependentsAsync(string ownerUid, CancellationToken ct);

    protected abstract Task<bool> ReadUidExistsAsync(string uid, CancellationToken ct);

    public async ValueTask<long> GetRevisionAsync(CancellationToken ct = default)
    {
        await EnsureInitializedAsync(ct);
        return await ReadRevisionAsync(ct);
    }

    public async Task<ResourceObject> CreateAsync(ResourceObject obj, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        await EnsureInitializedAsync(ct);
        var now = _time.GetUtcNow();
        var decision = await ExecuteWriteAsync(ResourceKey.Of(obj), (current, rev) => CheckSize(ObjectRules.PlanCreate(obj, current, rev, now)), ct);
        return decision.Result!;
    }

    public async Task<ResourceObject?> GetAsync(ResourceKey key, CancellationToken ct = default)
    {
        await EnsureInitializedAsync(ct);
        var row = await ReadAsync(key, ct);
        return row is null ? null : ResourceObject.Parse(row.Data);
    }

    public async Task<string?> GetJsonAsync(ResourceKey key, CancellationToken ct = default)
    {
        await EnsureInitializedAsync(ct);
        return (await ReadAsync(key, ct))?.Data;
    }

    public async Task<JsonListResult> ListJsonAsync(ListOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Filter is not null)
        {
            // A filter needs the parsed object anyway.
            var parsed = await ListAsync(options, ct);
            return new JsonListResult([.. parsed.Items.Select(o => o.ToJson())], parsed.ResourceVersion);
        }
        await EnsureInitializedAsync(ct);
        var (rows, revision) = await ReadManyAsync(options.Kind, options.Namespace, ct);
        var selector = options.LabelSelector;
        var items = new List<string>(rows.Count);
        foreach (var row in rows)
        {
            if (selector is { IsEmpty: false } && !selector.Matches(EventRecord.ParseLabels(row.LabelsJson))) continue;
            items.Add(row.Data);
        }
        return new JsonListResult(items, revision);
    }

    public async Task<ListResult> ListAsync(ListOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await EnsureInitializedAsync(ct);
        var (rows, revision) = await ReadManyAsync(options.Kind, options.Namespace, ct);
        var selector = options.LabelSelector;
        var items = new List<ResourceObject>(rows.Count);
        foreach (var row in rows)
        {
            // Filter on the labels column first: objects that do not match are never parsed.
            if (selector is { IsEmpty: false } && !selector.Matches(EventRecord.ParseLabels(row.LabelsJson))) continue;
            var obj = ResourceObject.Parse(row.Data);
            if (options.Filter is { } filter && !filter(obj)) continue;
            items.Add(obj);
        }
        return new ListResult(items, revision);
    }

    public async Task<ResourceObject> UpdateAsync(ResourceObject obj, UpdateScope scope = UpdateScope.Main,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        await EnsureInitializedAsync(ct);
        var decision = await ExecuteWriteAsync(ResourceKey.Of(obj), (current, rev) => CheckSize(ObjectRules.PlanUpdate(obj, scope, current, rev)), ct);
        return decision.Result!;
    }

    public async Task<ResourceObject?> DeleteAsync(ResourceKey key, string? expectedUid = null,
        string? expectedResourceVersion = null, CancellationToken ct = default)
    {
        await EnsureInitializedAsync(ct);
        var now = _time.GetUtcNow();
        var decision = await ExecuteWriteAsync(key,
            (current, rev) => ObjectRules.PlanDelete(key, expectedUid, expectedResourceVersion, current, rev, now), ct);
        return decision.Result;
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(ListOptions options, long fromResourceVersion,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(fromResourceVersion);
        await EnsureInitializedAsync(ct);

        // Subscribe first: live events after `live` are buffered while the history up to `live` is replayed, so
        // the two meet with neither a gap nor a duplicate.
        using var sub = Hub.Subscribe(options, Options.WatchBufferSize, out var live);
        var position = fromResourceVersion;
        if (fromResourceVersion > 0)
        {
            await ThrowIfCompactedAsync(fromResourceVersion, position, ct);
            while (position < live)
            {
                var page = await ReadEventsAsync(position, live, Options.ReplayPageSize, ct);
                // Compaction deletes events and raises the compacted revision atomically: if it is still at or
                // below our position after the read, the read saw the full history.
                await ThrowIfCompactedAsync(fromResourceVersion, position, ct);
                foreach (var e in page)
                {
                    position = e.Revision;
                    if (WatchFilter.Classify(options, e) is { } type && ToWatchEvent(options, e, type) is { } we) yield return we;
                }
                if (page.Count < Options.ReplayPageSize) break;
            }
        }

        var reader = sub.Reader;
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                if (item.Record.Revision <= position) continue;
                if (ToWatchEvent(options, item.Record, item.Type) is { } we) yield return we;
            }
            if (!await reader.WaitToReadAsync(ct))
            {
                if (sub.Overflowed)
                {
                    throw ApiException.Gone($"the watch fell behind by more than {Options.WatchBufferSize} events; relist and watch again");
                }
                yield break;
            }
        }
    }

    public async Task CompactAsync(long keepAfterRevision, CancellationToken ct = default)
    {
        await EnsureInitializedAsync(ct);
        await CompactCoreAsync(keepAfterRevision, ct);
    }

    /// <summary>The objects whose ownerReferences name <paramref name="ownerUid"/> (for the garbage collector).</summary>
    public async Task<IReadOnlyList<ResourceObject>> FindDependentsAsync(string ownerUid, CancellationToken ct = default)
    {
        await EnsureInitializedAsync(ct);
        var rows = await ReadDependentsAsync(ownerUid, ct);
        return rows.Select(r => ResourceObject.Parse(r.Data)).ToArray();
    }

    /// <summary>True when an object with this uid exists.</summary>
    public async Task<bool> UidExistsAsync(string uid, CancellationToken ct = default)
    {
        await EnsureInitializedAsync(ct);
        return await ReadUidExistsAsync(uid, ct);
    }

    public abstract ValueTask DisposeAsync();

    protected Task EnsureInitializedAsync(CancellationToken ct)
    {
        var init = _init;
        if (init is { IsCompletedSuccessfully: true }) return Task.CompletedTask;
        lock (_initLock)
        {
            if (_init is null || _init.IsFaulted || _init.IsCanceled) _init = InitializeAsync(CancellationToken.None);
            init = _init;
        }
        return init.WaitAsync(ct);
    }

    private async Task ThrowIfCompactedAsync(long from, long position, CancellationToken ct)
    {
        var compacted = await ReadCompactedRevisionAsync(ct);
        if (position < compacted)
        {
            throw ApiException.Gone($"too old resource version: {from} ({compacted})");
        }
    }

    private WriteDecision CheckSize(WriteDecision decision)
    {
        if (decision.Row is { } row && row.Data.Length > Options.MaxObjectBytes)
        {
            throw ApiException.TooLarge(Options.MaxObjectBytes);
        }
        return decision;
    }

    private static WatchEvent? ToWatchEvent(ListOptions options, EventRecord e, WatchEventType type)
    {
        var obj = ResourceObject.Parse(e.Data);
        if (options.Filter is { } filter && !filter(obj)) return null;
        return new WatchEvent(type, obj, e.Revision);
    }
}
