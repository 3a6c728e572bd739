using System.Text;
using System.Text.RegularExpressions;

namespace OpenChoreo.Cel.Tests.Conformance;

internal enum Outcome { Passed, Failed, Skipped }

internal sealed record CaseResult(string File, string Section, string Name, string Expr, Outcome Outcome, string Detail);

/// <summary>Runs the cel-spec SimpleTestFile suites against <see cref="CelEnvironment"/>.</summary>
internal static partial class ConformanceRunner
{
    // Needs protobuf message types (TestAllTypes, wrappers, Any, Struct/Value/ListValue construction) or enums.
    [GeneratedRegex(@"TestAllTypes|NestedMessage|GlobalEnum|NestedEnum|\.proto[23]\.|google\.protobuf\.Any\b|proto\.(getExt|hasExt)")]
    private static partial Regex ProtoUse();

    public static IEnumerable<CaseResult> RunFile(string path)
    {
        string file = Path.GetFileNameWithoutExtension(path);
        var root = TextProtoReader.Parse(File.ReadAllText(path));
        foreach (var section in root.Msgs("section"))
        {
            string sectionName = section.Str("name") ?? "";
            foreach (var test in section.Msgs("test"))
                yield return RunOne(file, sectionName, test);
        }
    }

    private static CaseResult RunOne(string file, string section, TpMessage test)
    {
        string name = test.Str("name") ?? "";
        string expr = test.Str("expr") ?? "";
        CaseResult Result(Outcome o, string detail) => new(file, section, name, expr, o, detail);

        if (SkipReason(test, expr) is { } reason) return Result(Outcome.Skipped, reason);

        var env = CelEnvironment.Default;
        string container = test.Str("container") ?? "";
        if (container.Length > 0) env = env.WithContainer(container);

        var bindings = new Dictionary<string, CelValue>(StringComparer.Ordinal);
        foreach (var b in test.Msgs("bindings"))
        {
            string key = b.Str("key")!;
            var ev = b.Msg("value")!;
            var v = ev.Msg("value");
            if (v == null) return Result(Outcome.Skipped, "unknowns: the binding is an error or an unknown set (partial evaluation is not implemented)");
            if (ExpectedValue.Convert(v) is not { } cv) return Result(Outcome.Skipped, "protobuf: the binding is a protobuf message");
            bindings[key] = cv;
        }

        bool macros = !(test.Scalar("disable_macros")?.Text == "true");
        CelValue actual;
        string? parseError = null;
        try
        {
            var program = env.CompileUncached(expr, macros);
            actual = program.Evaluate(bindings);
        }
        catch (CelParseException e)
        {
            parseError = e.Message;
            actual = CelValue.FromError(CelErrorKind.InvalidArgument, e.Message);
        }

        bool expectError = test.Has("eval_error") || test.Has("any_eval_errors");
        if (expectError)
        {
            return actual.IsError
                ? Result(Outcome.Passed, "")
                : Result(Outcome.Failed, $"expected an error, got {actual}");
        }

        var expectedMsg = test.Msg("value") ?? test.Msg("typed_result")?.Msg("result");
        if (expectedMsg == null && !test.Has("value") && !test.Has("typed_result"))
        {
            // No matcher: the default expectation is bool true.
            expectedMsg = new TpMessage();
            expectedMsg.Fields.Add(("bool_value", new TpScalar("true", null, false)));
        }
        var expected = ExpectedValue.Convert(expectedMsg!);
        if (expected == null) return Result(Outcome.Skipped, "protobuf: the expected value is a protobuf message or enum");
        if (actual.IsError) return Result(Outcome.Failed, $"expected {expected}, got error: {parseError ?? actual.Error!.ToString()}");
        return ExpectedValue.StrictEqual(actual, expected.Value)
            ? Result(Outcome.Passed, "")
            : Result(Outcome.Failed, $"expected {expected}, got {actual}");
    }

    /// <summary>
    /// The only reasons a test of a target file may be skipped (issue 3): it needs protobuf message types, or it
    /// exercises the type checker alone. Every skip reason starts with its category.
    /// </summary>
    public static readonly string[] AllowedTargetSkips = ["protobuf:", "type checker:"];

    private static string? SkipReason(TpMessage test, string expr)
    {
        if (test.Scalar("check_only")?.Text == "true") return "type checker: a check_only test exercises the type checker alone";
        if (test.Has("unknown") || test.Has("any_unknowns")) return "unknowns: unknown-value tracking is not implemented (partial evaluation)";
        string container = test.Str("container") ?? "";
        if (container.Contains("proto2", StringComparison.Ordinal) || container.Contains("proto3", StringComparison.Ordinal))
            return "protobuf: uses the protobuf test message container";
        if (ProtoUse().IsMatch(expr)) return "protobuf: needs protobuf message types, Any or enums";
        if (TypeCheckerOnly.Contains(test.Str("name") ?? "")) return "type checker: the expected error comes from the type checker alone";
        return null;
    }

    /// <summary>Tests whose expected error only a static type checker reports (this library has none).</summary>
    private static readonly HashSet<string> TypeCheckerOnly = new(StringComparer.Ordinal)
    {
    };

    public static string Describe(IEnumerable<CaseResult> failures)
    {
        var sb = new StringBuilder();
        foreach (var f in failures)
            sb.Append(f.File).Append('/').Append(f.Section).Append('/').Append(f.Name).Append(": ").Append(f.Expr)
              .Append("\n    ").Append(f.Detail).Append('\n');
        return sb.ToString();
    }
}
