using OpenChoreo.Model;

namespace OpenChoreo.Store;

/// <summary>Identifies one object: kind, namespace ("" for cluster-scoped kinds) and name.</summary>
public readonly record struct ResourceKey(string Kind, string Namespace, string Name)
{
    public static ResourceKey Of(ResourceObject o) => new(o.Kind ?? "", o.Namespace, o.Name);

    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}

/// <summary>What to list or watch. A null namespace means every namespace; <c>Kind == "*"</c> means every kind.</summary>
public sealed record ListOptions(string Kind, string? Namespace = null, LabelSelector? LabelSelector = null)
{
    /// <summary>The <see cref="Kind"/> that selects every kind.</summary>
    public const string AllKinds = "*";

    /// <summary>Optional server-side filter on the object (e.g. a field selector); applied after the label selector.</summary>
    public Func<ResourceObject, bool>? Filter { get; init; }
}

public sealed record ListResult(IReadOnlyList<ResourceObject> Items, long ResourceVersion);

/// <summary>A list whose items are the objects' JSON text (what an API response writes out as is).</summary>
public sealed record JsonListResult(IReadOnlyList<string> Items, long ResourceVersion);

/// <summary>Which part of an object an update may change.</summary>
public enum UpdateScope
{
    /// <summary>Everything but status (the main resource). <c>generation</c> bumps when spec changes.</summary>
    Main,
    /// <summary>Only <c>status</c> (the status subresource); metadata and spec of the input are ignored.</summary>
    Status,
}

public enum WatchEventType { Added, Modified, Deleted, Bookmark }

/// <summary>A change to one object. <see cref="Object"/> is its state after the change (before, for Deleted).</summary>
public sealed record WatchEvent(WatchEventType Type, ResourceObject Object, long ResourceVersion);

/// <summary>
/// The control plane's store of objects (DESIGN §3). Semantics every back end must give, proven by the shared suite:
/// <list type="bullet">
/// <item>A single, store-wide, strictly increasing revision. Every write gets the next one; it is the object's
///   <c>metadata.resourceVersion</c> and the position of the change in the watch history.</item>
/// <item>Create assigns uid, creationTimestamp, generation 1 and resourceVersion; it fails with 409 AlreadyExists.</item>
/// <item>Update requires a matching resourceVersion when the input has one (409 Conflict otherwise), never changes
///   uid or creationTimestamp, bumps generation only when spec (anything outside metadata and status) changes, and
///   writes nothing (same resourceVersion, no event) when the result equals the stored object.</item>
/// <item>Delete of an object with finalizers only sets deletionTimestamp; the object goes when an update removes its
///   last finalizer. Deleting an object whose deletionTimestamp is set is a no-op that returns it.</item>
/// <item>Watch replays history after a resourceVersion and then streams live changes; a resourceVersion older than
///   the retained history fails with 410 Expired (<see cref="ApiException"/> code 410). With a label selector, a
///   Modified object that starts matching arrives as Added and one that stops matching as Deleted (its new state).
///   A watcher that falls too far behind is ended with 410 Expired so that it relists.</item>
/// </list>
/// Errors are <see cref="ApiException"/>s with Kubernetes-style codes. Validation and admission happen above the store.
/// </summary>
public interface IResourceStore
{
    /// <summary>The latest revision written to the store.</summary>
    ValueTask<long> GetRevisionAsync(CancellationToken ct = default);

    Task<ResourceObject> CreateAsync(ResourceObject obj, CancellationToken ct = default);

    /// <summary>Returns the object or null when it does not exist.</summary>
    Task<ResourceObject?> GetAsync(ResourceKey key, CancellationToken ct = default);

    Task<ListResult> ListAsync(ListOptions options, CancellationToken ct = default);

    /// <summary>
    /// The same objects as <see cref="GetAsync"/>, as JSON text. A back end that keeps objects as JSON returns the
    /// stored text without parsing it (the API writes it straight into a response).
    /// </summary>
    async Task<string?> GetJsonAsync(ResourceKey key, CancellationToken ct = default) =>
        (await GetAsync(key, ct).ConfigureAwait(false))?.ToJson();

    /// <summary>The same items as <see cref="ListAsync"/>, as JSON text (see <see cref="GetJsonAsync"/>).</summary>
    async Task<JsonListResult> ListJsonAsync(ListOptions options, CancellationToken ct = default)
    {
        var list = await ListAsync(options, ct).ConfigureAwait(false);
        return new JsonListResult([.. list.Items.Select(o => o.ToJson())], list.ResourceVersion);
    }

    Task<ResourceObject> UpdateAsync(ResourceObject obj, UpdateScope scope = UpdateScope.Main, CancellationToken ct = default);

    /// <summary>
    /// Deletes (or, with finalizers, marks for deletion) an object. With <paramref name="expectedUid"/> or
    /// <paramref name="expectedResourceVersion"/> the delete happens only if they match (409 otherwise).
    /// Returns the object's last state, or null when it did not exist.
    /// </summary>
    Task<ResourceObject?> DeleteAsync(ResourceKey key, string? expectedUid = null, string? expectedResourceVersion = null,
        CancellationToken ct = default);

    /// <summary>
    /// Streams changes of one kind (or every kind with <c>Kind == "*"</c>) after <paramref name="fromResourceVersion"/>
    /// (0: from now on). Throws 410 Expired when the history from there has been compacted.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(ListOptions options, long fromResourceVersion, CancellationToken ct = default);

    /// <summary>Drops watch history older than <paramref name="keepAfterRevision"/> (exclusive).</summary>
    Task CompactAsync(long keepAfterRevision, CancellationToken ct = default);
}
