using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace OpenChoreo.Model;

/// <summary>
/// Converts between YAML documents and JSON trees. Plain scalars resolve with the YAML 1.2 core schema
/// (<c>80</c> is an integer, <c>"80"</c> a string, <c>true</c> a bool, <c>~</c> null); output quotes any string
/// that would otherwise read back as another type. Alias expansion and nesting are bounded so a hostile
/// document cannot exhaust memory or the stack.
/// </summary>
public static partial class YamlCodec
{
    public const int MaxDepth = 128;
    public const int MaxNodes = 2_000_000;

    /// <summary>Reads every document of a (possibly multi-document) YAML or JSON text. Empty documents are skipped.</summary>
    public static IReadOnlyList<JsonNode> ReadAll(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FormatException($"malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {Inner(e)}", e);
        }
        catch (InvalidOperationException e)
        {
            // The YAML parser reports some structural errors (e.g. an unclosed flow collection) this way.
            throw new FormatException($"malformed YAML: {e.Message}", e);
        }
        var budget = new Budget();
        var result = new List<JsonNode>();
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode { Value: null or "" } s && s.Style == ScalarStyle.Plain) continue;
            var node = Convert(doc.RootNode, 0, budget);
            if (node is not null) result.Add(node);
        }
        return result;
    }

    /// <summary>Reads exactly one document.</summary>
    public static JsonNode? ReadOne(string text)
    {
        var all = ReadAll(text);
        return all.Count switch
        {
            0 => null,
            1 => all[0],
            _ => throw new FormatException($"expected one YAML document, found {all.Count}"),
        };
    }

    /// <summary>Writes one JSON tree as a YAML document (no leading <c>---</c>).</summary>
    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        WriteTo(sb, node);
        return sb.ToString();
    }

    /// <summary>Writes several trees as a multi-document YAML stream separated by <c>---</c>.</summary>
    public static string WriteAll(IEnumerable<JsonNode?> nodes)
    {
        var sb = new StringBuilder();
        var first = true;
        foreach (var n in nodes)
        {
            if (!first) sb.Append("---\n");
            first = false;
            WriteTo(sb, n);
        }
        return sb.ToString();
    }

    private static void WriteTo(StringBuilder sb, JsonNode? node)
    {
        using var writer = new StringWriter(sb, CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, true, true));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
    }

    private static void Emit(IEmitter e, JsonNode? node)
    {
        switch (node)
        {
            case null:
                e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject o:
                e.Emit(new MappingStart(null, null, true, o.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (k, v) in o)
                {
                    EmitString(e, k);
                    Emit(e, v);
                }
                e.Emit(new MappingEnd());
                break;
            case JsonArray a:
                e.Emit(new SequenceStart(null, null, true, a.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var v in a) Emit(e, v);
                e.Emit(new SequenceEnd());
                break;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String:
                        EmitString(e, v.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                        e.Emit(new Scalar(null, null, "true", ScalarStyle.Plain, true, false));
                        break;
                    case JsonValueKind.False:
                        e.Emit(new Scalar(null, null, "false", ScalarStyle.Plain, true, false));
                        break;
                    case JsonValueKind.Null:
                        e.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                        break;
                    default:
                        e.Emit(new Scalar(null, null, v.ToJsonString(), ScalarStyle.Plain, true, false));
                        break;
                }
                break;
        }
    }

    private static void EmitString(IEmitter e, string s)
    {
        ScalarStyle style;
        if (s.Contains('\n') && !s.Contains('\r') && s.Trim(' ', '\n').Length > 0 && !HasTrailingSpaceOnLine(s))
        {
            style = ScalarStyle.Literal;
        }
        else if (s.Length == 0 || ResolvePlain(s) is not string || NeedsQuotes(s))
        {
            style = ScalarStyle.DoubleQuoted;
        }
        else
        {
            style = ScalarStyle.Any;
        }
        e.Emit(new Scalar(null, null, s, style, true, true));
    }

    private static bool HasTrailingSpaceOnLine(string s) => s.Contains(" \n") || s.Contains("\t");

    // Strings that YAML 1.1 readers (kubectl, go-yaml v2) would not read back as strings.
    private static bool NeedsQuotes(string s) => Yaml11Bool().IsMatch(s) || Sexagesimalish().IsMatch(s);

    private sealed class Budget
    {
        public int Nodes;
    }

    private static JsonNode? Convert(YamlNode node, int depth, Budget budget)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"YAML nesting is deeper than {MaxDepth} levels at line {node.Start.Line}");
        }
        if (++budget.Nodes > MaxNodes)
        {
            throw new FormatException($"YAML document expands to more than {MaxNodes} nodes (alias expansion?)");
        }
        switch (node)
        {
            case YamlMappingNode m:
                var obj = new JsonObject();
                foreach (var (k, v) in m.Children)
                {
                    if (k is not YamlScalarNode ks)
                    {
                        throw new FormatException($"unsupported non-scalar mapping key at line {k.Start.Line}, column {k.Start.Column}");
                    }
                    var key = ks.Value ?? "";
                    if (ks.Value is null && ks.Style == ScalarStyle.Plain) key = "null";
                    if (obj.ContainsKey(key))
                    {
                        throw new FormatException($"duplicate key \"{key}\" at line {k.Start.Line}, column {k.Start.Column}");
                    }
                    obj[key] = Convert(v, depth + 1, budget);
                }
                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                foreach (var item in seq.Children) arr.Add(Convert(item, depth + 1, budget));
                return arr;
            case YamlScalarNode s:
                return ConvertScalar(s);
            default:
                throw new FormatException($"unsupported YAML node at line {node.Start.Line}");
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode s)
    {
        var value = s.Value ?? "";
        var tag = s.Tag.IsEmpty ? null : s.Tag.Value;
        if (tag is not null && tag != "?" && tag != "!")
        {
            return tag switch
            {
                "tag:yaml.org,2002:str" => JsonValue.Create(value),
                "tag:yaml.org,2002:null" => null,
                "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float" =>
                    ToJson(ResolvePlain(value) ?? throw new FormatException($"value \"{value}\" does not match tag {tag} at line {s.Start.Line}")),
                _ => throw new FormatException($"unsupported YAML tag {tag} at line {s.Start.Line}"),
            };
        }
        if (s.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            return ToJson(ResolvePlain(value));
        }
        return JsonValue.Create(value);
    }

    private static JsonNode? ToJson(object? v) => v switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        ulong u => JsonValue.Create(u),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        double => throw new FormatException("infinite and NaN numbers cannot be represented in JSON"),
        _ => JsonValue.Create(v.ToString()),
    };

    /// <summary>Resolves a plain scalar with the YAML 1.2 core schema; returns the string itself when it is not typed.</summary>
    private static object? ResolvePlain(string v)
    {
        if (v.Length == 0 || v is "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return true;
        if (v is "false" or "False" or "FALSE") return false;
        var c = v[0];
        if (!(char.IsAsciiDigit(c) || c is '-' or '+' or '.')) return v;
        if (IntRegex().IsMatch(v))
        {
            if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
            if (ulong.TryParse(v.TrimStart('+'), NumberStyles.None, CultureInfo.InvariantCulture, out var u)) return u;
            return double.Parse(v, CultureInfo.InvariantCulture);
        }
        if (v.StartsWith("0x", StringComparison.Ordinal) && v.Length > 2 &&
            long.TryParse(v.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return hex;
        }
        if (v.StartsWith("0o", StringComparison.Ordinal) && v.Length > 2 && v.AsSpan(2).IndexOfAnyExceptInRange('0', '7') < 0)
        {
            return System.Convert.ToInt64(v[2..], 8);
        }
        if (FloatRegex().IsMatch(v)) return double.Parse(v, CultureInfo.InvariantCulture);
        if (v is ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF") return double.PositiveInfinity;
        if (v is "-.inf" or "-.Inf" or "-.INF") return double.NegativeInfinity;
        if (v is ".nan" or ".NaN" or ".NAN") return double.NaN;
        return v;
    }

    private static string Inner(YamlException e) => e.InnerException?.Message ?? e.Message;

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntRegex();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatRegex();

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11Bool();

    [GeneratedRegex("^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?$|^0[0-7_]+$|^[-+]?0b[01_]+$")]
    private static partial Regex Sexagesimalish();
}
