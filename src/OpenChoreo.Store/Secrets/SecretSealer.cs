using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Secrets;

/// <summary>
/// Seals and opens the values of Secret objects. Each value becomes <c>ocs1:&lt;keyId&gt;:&lt;base64(nonce|ciphertext|tag)&gt;</c>
/// under AES-256-GCM, with the secret's namespace, name and key as associated data so a sealed value cannot be moved
/// to another secret. The nonce is derived from the location and the plaintext (SIV-style): sealing the same value
/// twice gives the same bytes, so re-applying an unchanged Secret changes nothing — at the price of revealing that
/// two writes of one location carried equal values, which the resourceVersion already reveals.
/// </summary>
public sealed class SecretSealer(SecretKeyRing keys)
{
    public const string Kind = "Secret";
    private const string Prefix = "ocs1:";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public static bool IsSecret(ResourceObject o) => o.Kind == Kind;

    /// <summary>A copy of <paramref name="secret"/> whose data values are sealed; <c>stringData</c> is folded into data first.</summary>
    public ResourceObject Seal(ResourceObject secret)
    {
        var copy = secret.DeepClone();
        var node = copy.Node;
        var data = node["data"] as JsonObject ?? new JsonObject();
        var causes = new List<StatusCause>();
        if (node["data"] is { } d && d is not JsonObject) causes.Add(new StatusCause("data", CauseReasons.TypeInvalid, "must be a map of base64 strings"));
        var plain = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in data)
        {
            if (v is JsonValue jv && jv.TryGetValue<string>(out var s) && TryBase64(s, out var bytes)) plain[k] = bytes;
            else causes.Add(new StatusCause($"data[{k}]", CauseReasons.Invalid, "must be a base64 string"));
        }
        if (node["stringData"] is JsonObject sd)
        {
            foreach (var (k, v) in sd)
            {
                if (v is JsonValue jv && jv.TryGetValue<string>(out var s)) plain[k] = Encoding.UTF8.GetBytes(s);
                else causes.Add(new StatusCause($"stringData[{k}]", CauseReasons.TypeInvalid, "must be a string"));
            }
        }
        foreach (var k in plain.Keys.Where(k => !IsValidKey(k)))
            causes.Add(new StatusCause($"data[{k}]", CauseReasons.Invalid, "a key must consist of alphanumerics, '-', '_' or '.'"));
        if (causes.Count > 0) throw ApiException.Invalid(Kind, secret.Name, causes);
        node.Remove("stringData");
        var sealedData = new JsonObject();
        foreach (var (k, bytes) in plain) sealedData[k] = SealValue(secret.Namespace, secret.Name, k, bytes);
        node["data"] = sealedData;
        return copy;
    }

    /// <summary>A copy with data values opened (base64 again). Values that were never sealed pass through unchanged.</summary>
    public ResourceObject Open(ResourceObject stored)
    {
        if (stored.Node["data"] is not JsonObject data || !data.Any(kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith(Prefix, StringComparison.Ordinal)))
            return stored;
        var copy = stored.DeepClone();
        var opened = new JsonObject();
        foreach (var (k, v) in (JsonObject)copy.Node["data"]!)
        {
            var s = v is JsonValue jv && jv.TryGetValue<string>(out var str) ? str : "";
            opened[k] = s.StartsWith(Prefix, StringComparison.Ordinal) ? Convert.ToBase64String(OpenValue(stored.Namespace, stored.Name, k, s)) : s;
        }
        copy.Node["data"] = opened;
        return copy;
    }

    private string SealValue(string ns, string name, string key, byte[] plaintext)
    {
        var aad = Aad(ns, name, key);
        var nonce = HMACSHA256.HashData(keys.NonceKey, (byte[])[.. aad, 0, .. plaintext])[..NonceBytes];
        var output = new byte[NonceBytes + plaintext.Length + TagBytes];
        nonce.CopyTo(output, 0);
        using var gcm = new AesGcm(keys.EncryptionKey, TagBytes);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(NonceBytes, plaintext.Length), output.AsSpan(NonceBytes + plaintext.Length), aad);
        return $"{Prefix}{keys.KeyId}:{Convert.ToBase64String(output)}";
    }

    private byte[] OpenValue(string ns, string name, string key, string sealedValue)
    {
        var rest = sealedValue[Prefix.Length..];
        var colon = rest.IndexOf(':');
        var keyId = colon > 0 ? rest[..colon] : "";
        if (keyId != keys.KeyId)
        {
            throw new ApiException(500, StatusReasons.InternalError,
                $"Secret {ns}/{name} was sealed with key {keyId}, but this control plane has key {keys.KeyId}: every replica must use the same secrets:keyFile");
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(rest[(colon + 1)..]);
        }
        catch (FormatException)
        {
            throw Corrupt(ns, name, key);
        }
        if (blob.Length < NonceBytes + TagBytes) throw Corrupt(ns, name, key);
        var plaintext = new byte[blob.Length - NonceBytes - TagBytes];
        using var gcm = new AesGcm(keys.EncryptionKey, TagBytes);
        try
        {
            gcm.Decrypt(blob.AsSpan(0, NonceBytes), blob.AsSpan(NonceBytes, plaintext.Length), blob.AsSpan(NonceBytes + plaintext.Length), plaintext, Aad(ns, name, key));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw Corrupt(ns, name, key);
        }
        return plaintext;
    }

    private static ApiException Corrupt(string ns, string name, string key) =>
        new(500, StatusReasons.InternalError, $"Secret {ns}/{name}: the stored value of {key} does not authenticate (corrupted, or moved from another secret)");

    private static byte[] Aad(string ns, string name, string key) => Encoding.UTF8.GetBytes($"{ns}/{name}/{key}");

    private static bool TryBase64(string s, out byte[] bytes)
    {
        bytes = new byte[s.Length];
        if (Convert.TryFromBase64String(s, bytes, out var n))
        {
            bytes = bytes[..n];
            return true;
        }
        return false;
    }

    private static bool IsValidKey(string k) => k.Length is > 0 and <= 253 && k.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
