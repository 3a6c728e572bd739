using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Auth;

/// <summary>A bearer token as issued: shown once, never stored (the store keeps only its SHA-256).</summary>
public sealed record IssuedToken(string Id, string User, string Token);

/// <summary>
/// Bearer tokens for the API. A token reads <c>occ_&lt;id&gt;_&lt;secret&gt;</c>; the store keeps an internal
/// <c>ApiToken</c> object named by the id holding the SHA-256 of the whole token, so a stolen database yields no
/// usable credential. OIDC replaces these for people later; they remain for automation and the first admin.
/// </summary>
public sealed class ApiTokens(IResourceStore store, TimeProvider time)
{
    public const string Kind = "ApiToken";
    public const string ApiVersion = "internal.openchoreo.dev/v1";
    public const string UserLabel = "openchoreo.dev/token-user";
    private const string Prefix = "occ_";

    private readonly Dictionary<string, (byte[] Hash, string User, DateTimeOffset Until)> _cache = new();
    private readonly Lock _lock = new();

    /// <summary>Creates a new token for a user and stores its hash.</summary>
    public async Task<IssuedToken> IssueAsync(string user, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = $"{Prefix}{id}_{secret}";
        var obj = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["metadata"] = new JsonObject { ["name"] = id, ["labels"] = new JsonObject { [UserLabel] = user } },
            ["spec"] = new JsonObject { ["user"] = user, ["sha256"] = Convert.ToBase64String(Hash(token)) },
        });
        await store.CreateAsync(obj, ct);
        return new IssuedToken(id, user, token);
    }

    /// <summary>True when some token for the user exists (used to create the first admin token only once).</summary>
    public async Task<bool> AnyForUserAsync(string user, CancellationToken ct)
    {
        var list = await store.ListAsync(new ListOptions(Kind, null, LabelSelector.Parse($"{UserLabel}={user}")), ct);
        return list.Items.Count > 0;
    }

    public async Task RevokeAsync(string id, CancellationToken ct)
    {
        await store.DeleteAsync(new ResourceKey(Kind, "", id), ct: ct);
        lock (_lock) _cache.Remove(id);
    }

    /// <summary>Returns the user a token belongs to, or null when it is not a valid token.</summary>
    public async ValueTask<string?> AuthenticateAsync(string token, CancellationToken ct)
    {
        if (token.Length > 256 || !token.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var sep = token.IndexOf('_', Prefix.Length);
        if (sep < 0) return null;
        var id = token[Prefix.Length..sep];
        if (id.Length != 12) return null;
        var presented = Hash(token);
        var now = time.GetUtcNow();
        (byte[] Hash, string User, DateTimeOffset Until) entry;
        bool cached;
        lock (_lock) cached = _cache.TryGetValue(id, out entry) && entry.Until > now;
        if (!cached)
        {
            var obj = await store.GetAsync(new ResourceKey(Kind, "", id), ct);
            if (obj?.Spec is not JsonObject spec || obj.DeletionTimestamp is not null) return null;
            entry = (Convert.FromBase64String((string?)spec["sha256"] ?? ""), (string?)spec["user"] ?? "", now.AddSeconds(5));
            lock (_lock) _cache[id] = entry;
        }
        return CryptographicOperations.FixedTimeEquals(presented, entry.Hash) ? entry.User : null;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
