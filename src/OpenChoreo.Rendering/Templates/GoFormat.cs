using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Rendering.Templates;

/// <summary>Formats values the way upstream interpolation does (Go's <c>%g</c> for doubles, sorted-key JSON for composites).</summary>
internal static class GoFormat
{
    /// <summary>Go <c>%g</c> with shortest precision: exponent form when the decimal exponent is below -4 or at least 6.</summary>
    public static string FormatG(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "+Inf";
        if (double.IsNegativeInfinity(d)) return "-Inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";
        var (digits, dp) = ShortestDigits(Math.Abs(d));
        var sb = new StringBuilder();
        if (d < 0) sb.Append('-');
        int exp = dp - 1;
        if (exp < -4 || exp >= 6)
        {
            // %e: d.ddde±XX
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            int ae = Math.Abs(exp);
            if (ae < 10) sb.Append('0');
            sb.Append(ae.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }
        return sb.ToString();
    }

    /// <summary>The shortest round-trip decimal digits (no leading/trailing zeros) and the decimal point position.</summary>
    private static (string Digits, int Dp) ShortestDigits(double v)
    {
        var shortest = v.ToString("R", CultureInfo.InvariantCulture);
        // Parse the shortest representation into digits + exponent.
        string mant = shortest;
        int exp10 = 0;
        int e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mant = shortest[..e];
            exp10 = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        int dot = mant.IndexOf('.');
        string intPart = dot < 0 ? mant : mant[..dot];
        string frac = dot < 0 ? "" : mant[(dot + 1)..];
        string all = intPart + frac;
        int dp = intPart.Length + exp10;
        int lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0') { lead++; dp--; }
        all = all[lead..].TrimEnd('0');
        if (all.Length == 0) all = "0";
        return (all, dp);
    }

    /// <summary>Compact JSON with object keys sorted (Go's encoding/json order for maps).</summary>
    public static string SortedJson(JsonNode? node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(w, node);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null: w.WriteNullValue(); break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var kv in o.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(kv.Key);
                    Write(w, kv.Value);
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var item in a) Write(w, item);
                w.WriteEndArray();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }
}
