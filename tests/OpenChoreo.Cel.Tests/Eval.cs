using System.Text.Json.Nodes;

namespace OpenChoreo.Cel.Tests;

/// <summary>Small helpers shared by the tests.</summary>
internal static class Eval
{
    public static CelValue Run(string expr, CelEnvironment? env = null) =>
        (env ?? CelEnvironment.Default).Compile(expr).Evaluate();

    public static CelValue Run(string expr, string json, CelEnvironment? env = null) =>
        (env ?? CelEnvironment.Default).Compile(expr).Evaluate(JsonNode.Parse(json)!.AsObject());

    /// <summary>The result as compact JSON, or "error(Kind): message" for an error value.</summary>
    public static string Json(string expr, string? vars = null, CelEnvironment? env = null)
    {
        var v = vars == null ? Run(expr, env) : Run(expr, vars, env);
        return v.IsError ? $"error({v.Error!.Kind}): {v.Error.Message}" : v.ToJsonNode()?.ToJsonString() ?? "null";
    }

    public static CelError Error(string expr, string? vars = null, CelEnvironment? env = null)
    {
        var v = vars == null ? Run(expr, env) : Run(expr, vars, env);
        v.IsError.ShouldBeTrue($"expected an error from {expr}, got {v}");
        return v.Error!;
    }
}
