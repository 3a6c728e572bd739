using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Cel;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// <c>occ cel eval EXPR [--vars FILE|JSON]</c>: evaluates a CEL expression offline, as templates evaluate it, and prints
/// the value as JSON — or the error with its line and column. The tool for writing ComponentType and Trait templates.
/// </summary>
public static class CelCommand
{
    public static Command Create(CliIO io)
    {
        var expr = new Argument<string>("expression") { Description = "The CEL expression, e.g. 'parameters.replicas * 2' (without ${…})" };
        var vars = new Option<string?>("--vars") { Description = "Variables: a JSON/YAML object inline, or a path to a JSON/YAML file (e.g. {\"parameters\": {\"replicas\": 2}})" };
        var eval = new Command("eval", "Evaluate an expression and print the result as JSON") { expr, vars };
        eval.SetAction(p => CommandRunner.RunAsync(io, async () =>
        {
            var variables = LoadVariables(p.GetValue(vars));
            CelProgram program;
            try
            {
                program = CelEnvironment.Default.Compile(StripTemplate(p.GetValue(expr)!));
            }
            catch (CelParseException e)
            {
                await io.Err.WriteLineAsync($"error: {e.Line}:{e.Column}: {e.Reason}");
                return 1;
            }
            var value = program.Evaluate(variables);
            if (value.IsError)
            {
                var err = value.Error!;
                await io.Err.WriteLineAsync(err.Line > 0 ? $"error: {err.Line}:{err.Column}: {err.Message}" : $"error: {err.Message}");
                return 1;
            }
            var json = value.ToJsonNode();
            await io.Out.WriteLineAsync(json is null ? "null" : json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        var cmd = new Command("cel", "Work with CEL (Common Expression Language) as used in templates");
        cmd.Add(eval);
        return cmd;
    }

    /// <summary>Accepts a pasted template string like <c>${parameters.port}</c> as well as a bare expression.</summary>
    private static string StripTemplate(string s)
    {
        var t = s.Trim();
        return t.StartsWith("${", StringComparison.Ordinal) && t.EndsWith('}') ? t[2..^1] : s;
    }

    private static JsonObject LoadVariables(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) return new JsonObject();
        var text = File.Exists(spec) ? File.ReadAllText(spec) : spec;
        return YamlCodec.ReadOne(text) as JsonObject
            ?? throw new CliException("--vars must be an object mapping variable names to values");
    }
}
