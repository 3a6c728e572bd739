using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Gateway;

/// <summary>
/// One-time, short-lived enrollment tokens. Only a SHA-256 of each token is kept (in the plane's
/// <c>status.agent.joinTokens</c>, so every replica sees it); consuming one removes it under optimistic concurrency,
/// so two enrollments racing with the same token cannot both succeed.
/// </summary>
public sealed class JoinTokens(IResourceStore store, TimeProvider time, IOptions<ClusterGatewayOptions> options)
{
    public const string Prefix = "ocjt_";
    private const int MaxTokensPerPlane = 16;

    public sealed record Issued(string Token, DateTimeOffset ExpiresAt);

    public async Task<Issued> CreateAsync(PlaneIdentity plane, CancellationToken ct)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var expires = now + options.Value.JoinTokenLifetime;
        string? refusal = null;
        var found = await StatusPatcher.PatchAsync(store, PlaneKinds.KeyOf(plane), (obj, status) =>
        {
            if (obj.DeletionTimestamp is not null) { refusal = "is being deleted"; return false; }
            var kept = Live(status, now);
            while (kept.Count >= MaxTokensPerPlane) kept.RemoveAt(0);
            kept.Add(new JsonObject { ["sha256"] = Hash(token), ["expireTime"] = expires.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) });
            Agent(status)["joinTokens"] = kept;
            return true;
        }, ct).ConfigureAwait(false);
        if (!found) throw ApiException.NotFound(PlaneKinds.KindByType[plane.PlaneType], plane.PlaneName, plane.Organization);
        if (refusal is not null) throw new ApiException(409, StatusReasons.Conflict, $"{PlaneKinds.KindByType[plane.PlaneType]} {plane.Organization}/{plane.PlaneName} {refusal}");
        return new Issued(token, expires);
    }

    /// <summary>Consumes a token; returns the plane's uid, or null when the token is unknown, used or expired.</summary>
    public async Task<string?> ConsumeAsync(PlaneIdentity plane, string token, CancellationToken ct)
    {
        if (token.Length is < 10 or > 128 || !token.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var hash = Hash(token);
        var now = time.GetUtcNow();
        string? uid = null;
        await StatusPatcher.PatchAsync(store, PlaneKinds.KeyOf(plane), (obj, status) =>
        {
            uid = null;
            if (obj.DeletionTimestamp is not null) return false;
            var kept = Live(status, now);
            var match = kept.OfType<JsonObject>().FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(
                Encoding.ASCII.GetBytes((string?)t["sha256"] ?? ""), Encoding.ASCII.GetBytes(hash)));
            if (match is null) return false;
            kept.Remove(match);
            Agent(status)["joinTokens"] = kept;
            uid = obj.Uid;
            return true;
        }, ct).ConfigureAwait(false);
        return uid;
    }

    private static JsonArray Live(JsonObject status, DateTimeOffset now)
    {
        var kept = new JsonArray();
        if (Agent(status)["joinTokens"] is JsonArray tokens)
            foreach (var t in tokens)
                if (t is JsonObject o && DateTimeOffset.TryParse((string?)o["expireTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var exp) && exp > now)
                    kept.Add(o.DeepClone());
        return kept;
    }

    private static JsonObject Agent(JsonObject status) =>
        status["agent"] as JsonObject ?? (JsonObject)(status["agent"] = new JsonObject());

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
