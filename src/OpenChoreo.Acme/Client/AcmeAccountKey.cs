using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Acme;

/// <summary>
/// An ES256 (ECDSA P-256) ACME account key: its JWK, RFC 7638 thumbprint, key authorizations and JWS signing
/// (RFC 8555 section 6.2, flattened JSON serialization).
/// </summary>
public sealed class AcmeAccountKey
{
    private readonly ECDsa _key;
    private readonly string _x, _y;

    public AcmeAccountKey(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var p = key.ExportParameters(includePrivateParameters: false);
        if (p.Curve.Oid?.Value != "1.2.840.10045.3.1.7" && p.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
            throw new ArgumentException("An ACME account key must be ECDSA P-256 (ES256).", nameof(key));
        _key = key;
        _x = Base64Url.Encode(p.Q.X!);
        _y = Base64Url.Encode(p.Q.Y!);
        // RFC 7638: the required members only, in lexicographic order, no whitespace.
        Thumbprint = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{_x}\",\"y\":\"{_y}\"}}")));
    }

    public static AcmeAccountKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public ECDsa Key => _key;

    /// <summary>The RFC 7638 JWK thumbprint (base64url SHA-256).</summary>
    public string Thumbprint { get; }

    public JsonObject Jwk() => new() { ["crv"] = "P-256", ["kty"] = "EC", ["x"] = _x, ["y"] = _y };

    /// <summary>The key authorization for a challenge token: <c>token.thumbprint</c> (RFC 8555 section 8.1).</summary>
    public string KeyAuthorization(string token) => token + "." + Thumbprint;

    /// <summary>The TXT value for DNS-01: base64url(SHA-256(keyAuthorization)) (RFC 8555 section 8.4).</summary>
    public static string Dns01TxtValue(string keyAuthorization) =>
        Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization)));

    /// <summary>Signs a request body. <paramref name="kid"/> null means the <c>jwk</c> header (newAccount);
    /// <paramref name="payload"/> null means POST-as-GET (empty payload).</summary>
    internal byte[] Sign(Uri url, string nonce, Uri? kid, JsonNode? payload)
    {
        var header = new JsonObject { ["alg"] = "ES256", ["nonce"] = nonce, ["url"] = url.AbsoluteUri };
        if (kid is null) header["jwk"] = Jwk();
        else header["kid"] = kid.AbsoluteUri;
        var protectedB64 = Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var payloadB64 = payload is null ? "" : Base64Url.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        // .NET's ECDsa.SignData yields the IEEE P1363 r||s form JWS requires.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(protectedB64 + "." + payloadB64), HashAlgorithmName.SHA256);
        return JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["protected"] = protectedB64,
            ["payload"] = payloadB64,
            ["signature"] = Base64Url.Encode(signature),
        });
    }
}

internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);
}
