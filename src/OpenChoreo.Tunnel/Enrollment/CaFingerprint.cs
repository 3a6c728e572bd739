using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Tunnel.Enrollment;

/// <summary>The SHA-256 fingerprint of a CA certificate's DER, as lowercase hex: what the agent pins for enrollment.</summary>
public static class CaFingerprint
{
    public static string Of(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    /// <summary>Accepts <c>AB:CD…</c>, <c>abcd…</c> and an optional <c>sha256:</c> prefix.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null) return null;
        var t = text.Trim();
        if (t.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)) t = t[7..];
        t = t.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        return t.Length == 64 && t.All(Uri.IsHexDigit) ? t : null;
    }
}
