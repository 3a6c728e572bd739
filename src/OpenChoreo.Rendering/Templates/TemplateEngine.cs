using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Cel;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Templates;

/// <summary>
/// Renders template trees whose strings and map keys carry CEL in <c>${…}</c>. A string that is exactly one
/// expression becomes the expression's typed value; otherwise each expression is interpolated as text.
/// Thread-safe: compiled programs are cached by the CEL environment.
/// </summary>
public sealed class TemplateEngine
{
    /// <summary>Per-expression evaluation budget: generous for real templates, small enough to stop runaway ones fast.</summary>
    public const long DefaultMaxCost = 1_000_000;

    public TemplateEngine(CelLimits? limits = null)
    {
        Environment = OcFunctions.Register(CelEnvironment.Create(limits ?? CelLimits.Default with { MaxCost = DefaultMaxCost }));
    }

    /// <summary>The shared engine with default limits.</summary>
    public static TemplateEngine Default { get; } = new();

    /// <summary>The CEL environment: the standard library, extensions and the <c>oc_*</c> functions.</summary>
    public CelEnvironment Environment { get; }

    /// <summary>
    /// Renders <paramref name="template"/> (not modified) and removes omitted fields. <paramref name="path"/> is the
    /// field path of the template, used in errors. Throws <see cref="TemplateException"/>.
    /// </summary>
    public JsonNode? Render(JsonNode? template, IReadOnlyDictionary<string, JsonNode?> variables, string path)
    {
        var rendered = RenderNode(template, variables, path);
        return IsOmit(rendered) ? null : StripOmitted(rendered);
    }

    /// <summary>Renders a string template: interpolation always yields text (used for patch paths).</summary>
    public string RenderText(string template, IReadOnlyDictionary<string, JsonNode?> variables, string path)
    {
        var spans = Scan(template, path);
        if (spans.Count == 0) return template;
        return Interpolate(template, spans, variables, path);
    }

    /// <summary>
    /// Evaluates a condition written as <c>${expr}</c> (or a bare expression). Missing data (no such key, field or
    /// variable) counts as false, as upstream does for <c>includeWhen</c>.
    /// </summary>
    public bool EvaluateCondition(string text, IReadOnlyDictionary<string, JsonNode?> variables, string path)
    {
        var value = EvaluateWrapped(text, variables, path, missingAsFalse: true, out bool missing);
        if (missing) return false;
        if (value.Kind != CelKind.Bool)
            throw new TemplateException(path, $"must evaluate to a boolean, got {value.Kind.ToString().ToLowerInvariant()}");
        return value.AsBool;
    }

    /// <summary>Evaluates a <c>${expr}</c> (or bare) expression to JSON. Throws <see cref="TemplateException"/>.</summary>
    public JsonNode? EvaluateValue(string text, IReadOnlyDictionary<string, JsonNode?> variables, string path) =>
        EvaluateWrapped(text, variables, path, missingAsFalse: false, out _).ToJsonNode();

    private CelValue EvaluateWrapped(string text, IReadOnlyDictionary<string, JsonNode?> variables, string path, bool missingAsFalse, out bool missing)
    {
        var expr = Unwrap(text, path);
        var program = Compile(expr, path);
        var value = program.Evaluate(variables);
        missing = false;
        if (value.IsError)
        {
            if (missingAsFalse && value.Error!.IsMissingData)
            {
                missing = true;
                return CelValue.False;
            }
            throw new TemplateException(path, $"expression \"{ExpressionScanner.Clip(expr)}\": {value.Error}");
        }
        return value;
    }

    /// <summary>The expression inside a <c>${…}</c> wrapper that spans the whole (trimmed) text, or the text itself.</summary>
    public static string Unwrap(string text, string path)
    {
        var trimmed = text.Trim();
        var spans = ExpressionScanner.Scan(trimmed, out var error);
        if (error is not null) throw new TemplateException(path, error);
        if (spans.Count == 1 && spans[0].Start == 0 && spans[0].End == trimmed.Length) return spans[0].Expression;
        if (spans.Count == 0) return trimmed;
        throw new TemplateException(path, "must be a single ${…} expression");
    }

    /// <summary>Compiles every expression in <paramref name="template"/>, reporting syntax errors with their position.</summary>
    public void Check(JsonNode? template, string path, List<StatusCause> errors)
    {
        switch (template)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    var child = Schema.ShorthandSchema.Join(path, k);
                    CheckString(k, child, errors);
                    Check(v, child, errors);
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++) Check(a[i], $"{path}[{i}]", errors);
                break;
            case JsonValue v when v.TryGetValue(out string? s):
                CheckString(s!, path, errors);
                break;
        }
    }

    /// <summary>Compiles the expressions of one string (template text, or a <c>${…}</c> condition).</summary>
    public void CheckString(string text, string path, List<StatusCause> errors)
    {
        var spans = ExpressionScanner.Scan(text, out var error);
        if (error is not null)
        {
            errors.Add(new StatusCause(path, CauseReasons.Invalid, error));
            return;
        }
        foreach (var span in spans)
        {
            if (!Environment.TryCompile(span.Expression, out _, out var parseError))
                errors.Add(new StatusCause(path, CauseReasons.Invalid,
                    $"invalid CEL expression \"{ExpressionScanner.Clip(span.Expression)}\" at line {parseError!.Line}, column {parseError.Column}: {parseError.Reason}"));
        }
    }

    private JsonNode? RenderNode(JsonNode? node, IReadOnlyDictionary<string, JsonNode?> vars, FieldPath path)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject o:
                {
                    var result = new JsonObject();
                    foreach (var (key, value) in o)
                    {
                        var childPath = new FieldPath(path, key);
                        string renderedKey = key;
                        if (key.Contains("${", StringComparison.Ordinal))
                        {
                            var k = RenderString(key, vars, childPath);
                            if (IsOmit(k)) continue;
                            if (k is not JsonValue kv || !kv.TryGetValue(out string? ks))
                                throw new TemplateException(childPath, $"a map key must evaluate to a string, got {(k is null ? "null" : Schema.SchemaOps.KindOf(k))}");
                            renderedKey = ks!;
                        }
                        var rendered = RenderNode(value, vars, childPath);
                        if (IsOmit(rendered)) continue;
                        result[renderedKey] = rendered;
                    }
                    return result;
                }
            case JsonArray a:
                {
                    var result = new JsonArray();
                    for (int i = 0; i < a.Count; i++)
                    {
                        var rendered = RenderNode(a[i], vars, new FieldPath(path, i));
                        if (!IsOmit(rendered)) result.Add(rendered);
                    }
                    return result;
                }
            case JsonValue v when v.TryGetValue(out string? s):
                return RenderString(s!, vars, path);
            default:
                return node.DeepClone();
        }
    }

    private JsonNode? RenderString(string s, IReadOnlyDictionary<string, JsonNode?> vars, FieldPath path)
    {
        var spans = Scan(s, path);
        if (spans.Count == 0) return JsonValue.Create(s);
        if (spans.Count == 1)
        {
            // Standalone: the expression is the whole (trimmed) string, so its typed value is kept.
            int start = 0, end = s.Length;
            while (start < end && char.IsWhiteSpace(s[start])) start++;
            while (end > start && char.IsWhiteSpace(s[end - 1])) end--;
            if (spans[0].Start == start && spans[0].End == end)
                return Evaluate(spans[0].Expression, vars, path).ToJsonNode();
        }
        return JsonValue.Create(Interpolate(s, spans, vars, path));
    }

    private string Interpolate(string s, IReadOnlyList<ExpressionSpan> spans, IReadOnlyDictionary<string, JsonNode?> vars, FieldPath path)
    {
        var sb = new StringBuilder(s.Length + 32);
        int cursor = 0;
        foreach (var span in spans)
        {
            var value = Evaluate(span.Expression, vars, path);
            sb.Append(s, cursor, span.Start - cursor);
            switch (value.Kind)
            {
                case CelKind.String: sb.Append(value.AsString); break;
                case CelKind.Int: sb.Append(value.AsInt.ToString(CultureInfo.InvariantCulture)); break;
                case CelKind.Uint: sb.Append(value.AsUInt.ToString(CultureInfo.InvariantCulture)); break;
                case CelKind.Double: sb.Append(GoFormat.FormatG(value.AsDouble)); break;
                case CelKind.Bool: sb.Append(value.AsBool ? "true" : "false"); break;
                default: sb.Append(GoFormat.SortedJson(value.ToJsonNode())); break;
            }
            cursor = span.End;
        }
        sb.Append(s, cursor, s.Length - cursor);
        return sb.ToString();
    }

    private CelValue Evaluate(string expr, IReadOnlyDictionary<string, JsonNode?> vars, FieldPath path)
    {
        var program = Compile(expr, path);
        var value = program.Evaluate(vars);
        if (value.IsError) throw new TemplateException(path, $"expression \"{ExpressionScanner.Clip(expr)}\": {value.Error}");
        return value;
    }

    private CelProgram Compile(string expr, FieldPath path)
    {
        if (Environment.TryCompile(expr, out var program, out var error)) return program!;
        throw new TemplateException(path,
            $"invalid CEL expression \"{ExpressionScanner.Clip(expr)}\" at line {error!.Line}, column {error.Column}: {error.Reason}");
    }

    private static IReadOnlyList<ExpressionSpan> Scan(string s, FieldPath path)
    {
        var spans = ExpressionScanner.Scan(s, out var error);
        if (error is not null) throw new TemplateException(path, error);
        return spans;
    }

    internal static bool IsOmit(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() == OcFunctions.OmitSentinel;

    /// <summary>Removes omitted values nested inside values that expressions returned (maps and lists built in CEL).</summary>
    internal static JsonNode? StripOmitted(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                List<string>? drop = null;
                foreach (var (k, v) in o)
                {
                    if (IsOmit(v)) (drop ??= []).Add(k);
                    else StripOmitted(v);
                }
                if (drop is not null) foreach (var k in drop) o.Remove(k);
                break;
            case JsonArray a:
                for (int i = a.Count - 1; i >= 0; i--)
                {
                    if (IsOmit(a[i])) a.RemoveAt(i);
                    else StripOmitted(a[i]);
                }
                break;
        }
        return node;
    }
}
