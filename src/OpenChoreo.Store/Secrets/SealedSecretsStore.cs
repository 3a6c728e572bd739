using System.Runtime.CompilerServices;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Secrets;

/// <summary>
/// Decorates the store so Secret values are sealed before they are written and opened when they are read, listed or
/// watched (DESIGN §12: secrets encrypted at rest). Everything else passes through untouched. List filters see
/// opened secrets, as they would without sealing.
/// </summary>
public sealed class SealedSecretsStore(IResourceStore inner, SecretSealer sealer) : IResourceStore
{
    public IResourceStore Inner => inner;

    public ValueTask<long> GetRevisionAsync(CancellationToken ct = default) => inner.GetRevisionAsync(ct);

    public async Task<ResourceObject> CreateAsync(ResourceObject obj, CancellationToken ct = default) =>
        Open(await inner.CreateAsync(Seal(obj), ct).ConfigureAwait(false));

    public async Task<ResourceObject?> GetAsync(ResourceKey key, CancellationToken ct = default) =>
        await inner.GetAsync(key, ct).ConfigureAwait(false) is { } o ? Open(o) : null;

    public async Task<ListResult> ListAsync(ListOptions options, CancellationToken ct = default)
    {
        var result = await inner.ListAsync(WithOpenedFilter(options), ct).ConfigureAwait(false);
        return result.Items.Any(SecretSealer.IsSecret) ? result with { Items = [.. result.Items.Select(Open)] } : result;
    }

    // Secrets are stored sealed: they are opened (parsed) first. Every other kind passes through as stored text.
    public async Task<string?> GetJsonAsync(ResourceKey key, CancellationToken ct = default) => key.Kind == SecretSealer.Kind
        ? (await GetAsync(key, ct).ConfigureAwait(false))?.ToJson()
        : await inner.GetJsonAsync(key, ct).ConfigureAwait(false);

    public async Task<JsonListResult> ListJsonAsync(ListOptions options, CancellationToken ct = default)
    {
        if (options.Kind is not (SecretSealer.Kind or ListOptions.AllKinds)) return await inner.ListJsonAsync(options, ct).ConfigureAwait(false);
        var list = await ListAsync(options, ct).ConfigureAwait(false);
        return new JsonListResult([.. list.Items.Select(o => o.ToJson())], list.ResourceVersion);
    }

    public async Task<ResourceObject> UpdateAsync(ResourceObject obj, UpdateScope scope = UpdateScope.Main, CancellationToken ct = default) =>
        Open(await inner.UpdateAsync(scope == UpdateScope.Main ? Seal(obj) : obj, scope, ct).ConfigureAwait(false));

    public async Task<ResourceObject?> DeleteAsync(ResourceKey key, string? expectedUid = null, string? expectedResourceVersion = null, CancellationToken ct = default) =>
        await inner.DeleteAsync(key, expectedUid, expectedResourceVersion, ct).ConfigureAwait(false) is { } o ? Open(o) : null;

    public async IAsyncEnumerable<WatchEvent> WatchAsync(ListOptions options, long fromResourceVersion, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in inner.WatchAsync(options, fromResourceVersion, ct).ConfigureAwait(false))
            yield return SecretSealer.IsSecret(e.Object) ? e with { Object = sealer.Open(e.Object) } : e;
    }

    public Task CompactAsync(long keepAfterRevision, CancellationToken ct = default) => inner.CompactAsync(keepAfterRevision, ct);

    private ResourceObject Seal(ResourceObject o) => SecretSealer.IsSecret(o) ? sealer.Seal(o) : o;

    private ResourceObject Open(ResourceObject o) => SecretSealer.IsSecret(o) ? sealer.Open(o) : o;

    private ListOptions WithOpenedFilter(ListOptions options) => options.Filter is { } filter && options.Kind is SecretSealer.Kind or ListOptions.AllKinds
        ? options with { Filter = o => filter(Open(o)) }
        : options;
}
