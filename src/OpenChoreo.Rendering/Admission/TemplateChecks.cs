using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Templates;

namespace OpenChoreo.Rendering.Admission;

/// <summary>Checks shared by ComponentType and Trait admission: template shape and CEL that compiles.</summary>
internal static partial class TemplateChecks
{
    [GeneratedRegex(@"^\$\{.+\}$", RegexOptions.Singleline)]
    private static partial Regex ForEachPattern();

    [GeneratedRegex(@"^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    public static void CheckTemplate(JsonNode? template, string path, List<StatusCause> errors, TemplateEngine engine)
    {
        if (template is not JsonObject t)
        {
            errors.Add(new StatusCause(path, CauseReasons.Required, "a resource template (map) is required"));
            return;
        }
        foreach (var field in new[] { "apiVersion", "kind" })
            if (t[field] is not JsonValue v || !v.TryGetValue(out string? s) || s!.Length == 0)
                errors.Add(new StatusCause($"{path}.{field}", CauseReasons.Required, "required value"));
        if (t["metadata"]?["name"] is null)
            errors.Add(new StatusCause($"{path}.metadata.name", CauseReasons.Required, "required value"));
        engine.Check(t, path, errors);
    }

    public static void CheckCondition(JsonObject entry, string field, string path, List<StatusCause> errors, TemplateEngine engine)
    {
        if (entry[field] is null) return;
        if (entry[field] is not JsonValue v || !v.TryGetValue(out string? s))
        {
            errors.Add(new StatusCause($"{path}.{field}", CauseReasons.TypeInvalid, "must be a ${…} expression string"));
            return;
        }
        CheckSingleExpression(s!, $"{path}.{field}", errors, engine);
    }

    public static void CheckForEach(JsonObject entry, string path, List<StatusCause> errors, TemplateEngine engine, bool varRequired)
    {
        var forEach = entry["forEach"];
        var var = entry["var"];
        if (forEach is null)
        {
            if (var is not null) errors.Add(new StatusCause($"{path}.var", CauseReasons.Forbidden, "var is only meaningful with forEach"));
            return;
        }
        if (forEach is not JsonValue fv || !fv.TryGetValue(out string? f) || !ForEachPattern().IsMatch(f!.Trim()))
        {
            errors.Add(new StatusCause($"{path}.forEach", CauseReasons.Invalid, "must be a single ${…} expression"));
            return;
        }
        CheckSingleExpression(f, $"{path}.forEach", errors, engine);
        if (var is null)
        {
            if (varRequired) errors.Add(new StatusCause($"{path}.var", CauseReasons.Required, "var is required with forEach"));
        }
        else if (var is not JsonValue vv || !vv.TryGetValue(out string? name) || !IdentifierPattern().IsMatch(name!))
        {
            errors.Add(new StatusCause($"{path}.var", CauseReasons.Invalid, "must be an identifier ([a-zA-Z_][a-zA-Z0-9_]*)"));
        }
    }

    public static void CheckTargetPlane(JsonObject entry, string path, List<StatusCause> errors)
    {
        if (entry["targetPlane"] is null) return;
        var plane = (string?)(entry["targetPlane"] as JsonValue);
        if (plane is not ("dataplane" or "observabilityplane"))
            errors.Add(new StatusCause($"{path}.targetPlane", CauseReasons.NotSupported, "supported values: \"dataplane\", \"observabilityplane\""));
    }

    private static void CheckSingleExpression(string text, string path, List<StatusCause> errors, TemplateEngine engine)
    {
        var spans = ExpressionScanner.Scan(text.Trim(), out var error);
        if (error is not null)
        {
            errors.Add(new StatusCause(path, CauseReasons.Invalid, error));
            return;
        }
        if (spans.Count != 1 || spans[0].Start != 0 || spans[0].End != text.Trim().Length)
        {
            errors.Add(new StatusCause(path, CauseReasons.Invalid, "must be a single ${…} expression"));
            return;
        }
        engine.CheckString(text, path, errors);
    }
}
