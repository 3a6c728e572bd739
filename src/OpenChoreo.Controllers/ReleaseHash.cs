using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Controllers;

/// <summary>
/// The content hash that names a ComponentRelease (<c>&lt;component&gt;-&lt;hash&gt;</c>): FNV-1a 32 over a canonical
/// JSON form of the snapshot (object keys sorted), written with Kubernetes' "safe" alphabet as upstream does
/// (no vowels, so a hash never spells a word, and never looks like a number).
/// </summary>
public static class ReleaseHash
{
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(JsonNode? snapshot)
    {
        var hash = 2166136261u;
        foreach (var b in CanonicalJson.ToUtf8(snapshot))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        var digits = hash.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(digits.Length);
        foreach (var c in digits) sb.Append(SafeAlphabet[c % SafeAlphabet.Length]);
        return sb.ToString();
    }

    /// <summary>JSON with object keys in ordinal order at every level, so equal content always hashes equal.</summary>
    public static string Canonical(JsonNode? node) => Encoding.UTF8.GetString(CanonicalJson.ToUtf8(node));
}
