using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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
        var canonical = Canonical(snapshot);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(canonical))
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
    public static string Canonical(JsonNode? node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) Write(writer, node);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (k, v) in o.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(k);
                    Write(w, v);
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var v in a) Write(w, v);
                w.WriteEndArray();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }
}
