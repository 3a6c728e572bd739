using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Validation;

/// <summary>Type tests and comparisons over <see cref="JsonNode"/> values, whatever produced them (parser, YAML codec, code).</summary>
internal static class JsonTypes
{
    public static string NameOf(JsonNode? v) => v switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => IsInteger(v.AsValue()) ? "integer" : "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
    };

    public static bool IsString(JsonNode? v, out string s)
    {
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String && jv.TryGetValue(out string? str))
        {
            s = str;
            return true;
        }
        s = "";
        return false;
    }

    public static bool IsNumber(JsonNode? v) => v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number;

    public static bool IsBoolean(JsonNode? v) =>
        v is JsonValue jv && jv.GetValueKind() is JsonValueKind.True or JsonValueKind.False;

    /// <summary>Whether a number was written as an integer: <c>1.0</c> and <c>1e2</c> are numbers, not integers.</summary>
    public static bool IsInteger(JsonValue v)
    {
        if (v.TryGetValue(out JsonElement e)) return IsIntegerText(e.GetRawText());
        return v.TryGetValue(out long _) || v.TryGetValue(out int _) || v.TryGetValue(out ulong _) ||
               v.TryGetValue(out uint _) || v.TryGetValue(out short _) || v.TryGetValue(out ushort _) ||
               v.TryGetValue(out byte _) || v.TryGetValue(out sbyte _);
    }

    private static bool IsIntegerText(string text)
    {
        var s = text.AsSpan();
        if (s.Length > 0 && s[0] == '-') s = s[1..];
        return s.Length > 0 && !s.ContainsAnyExcept("0123456789");
    }

    /// <summary>The numeric value as a double (for range checks); false for non-numbers.</summary>
    public static bool TryGetDouble(JsonNode? v, out double d)
    {
        d = 0;
        if (!IsNumber(v)) return false;
        var jv = v!.AsValue();
        if (jv.TryGetValue(out JsonElement e)) return e.TryGetDouble(out d);
        if (jv.TryGetValue(out double dd)) { d = dd; return true; }
        if (jv.TryGetValue(out long l)) { d = l; return true; }
        if (jv.TryGetValue(out decimal m)) { d = (double)m; return true; }
        return double.TryParse(jv.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);
    }

    /// <summary>Structural equality with numbers compared by value (1 == 1.0) and strings ordinally.</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b)
    {
        switch (a)
        {
            case null:
                return b is null || b.GetValueKind() == JsonValueKind.Null;
            case JsonObject oa:
                if (b is not JsonObject ob || oa.Count != ob.Count) return false;
                foreach (var (k, va) in oa)
                {
                    if (!ob.TryGetPropertyValue(k, out var vb) || !DeepEquals(va, vb)) return false;
                }
                return true;
            case JsonArray aa:
                if (b is not JsonArray ab || aa.Count != ab.Count) return false;
                for (var i = 0; i < aa.Count; i++)
                {
                    if (!DeepEquals(aa[i], ab[i])) return false;
                }
                return true;
        }
        if (b is null) return a.GetValueKind() == JsonValueKind.Null;
        var ka = a.GetValueKind();
        var kb = b.GetValueKind();
        if (ka != kb) return false;
        return ka switch
        {
            JsonValueKind.String => IsString(a, out var sa) && IsString(b, out var sb) && string.Equals(sa, sb, StringComparison.Ordinal),
            JsonValueKind.Number => NumbersEqual(a.AsValue(), b.AsValue()),
            _ => true,
        };
    }

    private static bool NumbersEqual(JsonValue a, JsonValue b)
    {
        if (TryGetDecimal(a, out var da) && TryGetDecimal(b, out var db)) return da == db;
        return TryGetDouble(a, out var fa) && TryGetDouble(b, out var fb) && fa.Equals(fb);
    }

    private static bool TryGetDecimal(JsonValue v, out decimal d) =>
        decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);

    /// <summary>
    /// A string equal for two values exactly when <see cref="DeepEquals"/> holds: object keys sorted, numbers in one
    /// canonical form. Lets duplicate checks hash instead of comparing every pair.
    /// </summary>
    public static string CanonicalKey(JsonNode? node)
    {
        var sb = new System.Text.StringBuilder();
        AppendCanonical(sb, node);
        return sb.ToString();
    }

    private static void AppendCanonical(System.Text.StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                return;
            case JsonObject o:
                sb.Append('{');
                foreach (var (k, v) in o.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    sb.Append(JsonSerializer.Serialize(k)).Append(':');
                    AppendCanonical(sb, v);
                    sb.Append(',');
                }
                sb.Append('}');
                return;
            case JsonArray a:
                sb.Append('[');
                foreach (var v in a)
                {
                    AppendCanonical(sb, v);
                    sb.Append(',');
                }
                sb.Append(']');
                return;
        }
        switch (node.GetValueKind())
        {
            case JsonValueKind.String when IsString(node, out var s):
                sb.Append(JsonSerializer.Serialize(s));
                return;
            case JsonValueKind.Number:
                var jv = node.AsValue();
                if (TryGetDecimal(jv, out var d)) sb.Append('n').Append((d / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture));
                else if (TryGetDouble(jv, out var f)) sb.Append('f').Append(f.ToString("R", CultureInfo.InvariantCulture));
                return;
            default:
                sb.Append(node.ToJsonString());
                return;
        }
    }

    /// <summary>Depth of the deepest container under <paramref name="node"/>, stopping once it passes <paramref name="limit"/>.</summary>
    public static bool DepthExceeds(JsonNode? node, int limit)
    {
        var stack = new Stack<(JsonNode Node, int Depth)>();
        if (node is not null) stack.Push((node, 1));
        while (stack.Count > 0)
        {
            var (n, d) = stack.Pop();
            if (d > limit) return true;
            switch (n)
            {
                case JsonObject o:
                    foreach (var (_, v) in o)
                    {
                        if (v is JsonObject or JsonArray) stack.Push((v, d + 1));
                    }
                    break;
                case JsonArray a:
                    foreach (var v in a)
                    {
                        if (v is JsonObject or JsonArray) stack.Push((v!, d + 1));
                    }
                    break;
            }
        }
        return false;
    }
}
