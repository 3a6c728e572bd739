using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates;

/// <summary>Reads and writes Secret objects (values base64 in <c>data</c>; the store seals them at rest).</summary>
internal static class TlsSecrets
{
    public const string TlsType = "kubernetes.io/tls";
    public const string Crt = "tls.crt";
    public const string Key = "tls.key";
    public const string Ca = "ca.crt";

    /// <summary>Annotations on an issued Secret: which issuer made it (a changed issuerRef re-issues).</summary>
    public const string IssuerAnnotation = "openchoreo.dev/issuer";

    public static string? Get(ResourceObject secret, string key)
    {
        if (secret.Node["data"] is not JsonObject data || data[key] is not JsonValue v || !v.TryGetValue<string>(out var b64)) return null;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static Task<ResourceObject?> GetAsync(IResourceStore store, string ns, string name, CancellationToken ct) =>
        store.GetAsync(new ResourceKey("Secret", ns, name), ct);

    /// <summary>Reads one value of a Secret; null when the Secret or the key is missing.</summary>
    public static async Task<string?> GetValueAsync(IResourceStore store, string ns, string name, string key, CancellationToken ct) =>
        await GetAsync(store, ns, name, ct) is { } s ? Get(s, key) : null;

    public static JsonObject Data(IEnumerable<KeyValuePair<string, string>> values)
    {
        var data = new JsonObject();
        foreach (var (k, v) in values) data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v));
        return data;
    }

    /// <summary>Creates or replaces a Secret; returns the stored object. Replacing keeps uid and owner of the existing one
    /// unless <paramref name="owner"/> is given.</summary>
    public static async Task<ResourceObject> WriteAsync(IResourceStore store, string ns, string name, string type, JsonObject data,
        OwnerReference? owner, IReadOnlyDictionary<string, string>? annotations, CancellationToken ct)
    {
        var existing = await GetAsync(store, ns, name, ct);
        var obj = existing ?? new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        });
        obj.Node["type"] = type;
        obj.Node["data"] = data;
        obj.Node.Remove("stringData");
        if (owner is not null) obj.SetOwnerReferences([owner]);
        foreach (var (k, v) in annotations ?? new Dictionary<string, string>()) obj.SetAnnotation(k, v);
        return existing is null ? await store.CreateAsync(obj, ct) : await store.UpdateAsync(obj, UpdateScope.Main, ct);
    }
}
