using System.Text;
using System.Text.Json.Nodes;

namespace OpenChoreo.Cel.Tests;

/// <summary>
/// Bounded random-expression fuzzing with a fixed seed: every input must compile or fail with
/// <see cref="CelParseException"/>, and evaluate to a value or a non-internal error, within the budget.
/// Inputs that ever broke the library are kept in <see cref="Regressions"/>.
/// </summary>
public class FuzzTests
{
    private static readonly CelEnvironment Env = CelEnvironment.Create(new CelLimits { MaxCost = 200_000 })
        .WithFunction("oc_merge", CelOverload.AnyVariadic(1, a => a[0]));

    private static readonly JsonObject Vars = JsonNode.Parse("""
        {"x": 3, "y": 2.5, "s": "héllo", "b": true, "n": null, "l": [1, 2, 3, "a", [4]], "m": {"k": "v", "n": {"d": 1}},
         "big": 9223372036854775807, "neg": -9223372036854775808}
        """)!.AsObject();

    private static readonly string[] Atoms =
    [
        "x", "y", "s", "b", "n", "l", "m", "big", "neg", "m.k", "m.n.d", "l[0]", "l[4]", "0", "1", "-1", "1u", "0u", "2.0",
        "-0.0", "1e308", "'a'", "''", "'\\u00e9'", "b'\\xff'", "b''", "true", "false", "null", "[]", "{}", "[1, 'a']",
        "{'a': 1}", "{1: 2u}", "int", "string", "duration('1s')", "timestamp('2024-01-01T00:00:00Z')",
        "optional.none()", "optional.of(1)", "9223372036854775807", "18446744073709551615u", "double('nan')",
    ];

    private static readonly string[] Binary = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "in"];

    private static readonly string[] Calls =
    [
        "size({0})", "int({0})", "uint({0})", "double({0})", "string({0})", "bytes({0})", "bool({0})", "type({0})", "dyn({0})",
        "timestamp({0})", "duration({0})", "{0}.contains({1})", "{0}.startsWith({1})", "{0}.matches({1})", "{0}.size()",
        "{0}.charAt({1})", "{0}.indexOf({1})", "{0}.substring({1})", "{0}.split({1})", "{0}.replace({1}, {0})",
        "{0}.lowerAscii()", "{0}.join({1})", "{0}.format([{1}])", "math.greatest({0}, {1})", "math.abs({0})",
        "math.bitShiftLeft({0}, {1})", "{0}.slice(0, {1})", "{0}.flatten()", "{0}.sort()", "{0}.distinct()",
        "lists.range({0})", "base64.encode({0})", "base64.decode({0})", "sets.contains({0}, {1})", "{0}.orValue({1})",
        "{0}.hasValue()", "{0}.value()", "oc_merge({0}, {1})", "{0}[{1}]", "{0}[?{1}]", "{0}.?k", "has({0}.k)",
        "{0}.getFullYear()", "{0}.getHours({1})", "strings.quote({0})", "{0}.reverse()", "{0}.first()",
    ];

    private static readonly string[] Macros =
    [
        "{0}.all(v, {1})", "{0}.exists(v, {1})", "{0}.exists_one(v, {1})", "{0}.map(v, {1})", "{0}.map(v, {1}, v)",
        "{0}.filter(v, {1})", "{0}.all(i, v, {1})", "{0}.transformList(i, v, {1})", "{0}.transformMap(k, v, {1})",
        "{0}.transformMapEntry(k, v, {{string(k): {1}}})", "cel.bind(v, {0}, {1})", "{0}.sortBy(v, {1})", "{0}.optMap(v, {1})",
    ];

    private static string Gen(Random r, int depth)
    {
        if (depth <= 0 || r.Next(4) == 0) return r.Next(5) == 0 ? "v" : Atoms[r.Next(Atoms.Length)];
        switch (r.Next(7))
        {
            case 0: return $"{Gen(r, depth - 1)} {Binary[r.Next(Binary.Length)]} {Gen(r, depth - 1)}";
            case 1: return $"({Gen(r, depth - 1)} ? {Gen(r, depth - 1)} : {Gen(r, depth - 1)})";
            case 2: return (r.Next(2) == 0 ? "!" : "-") + Gen(r, depth - 1);
            case 3: return string.Format(Calls[r.Next(Calls.Length)], Gen(r, depth - 1), Gen(r, depth - 1));
            case 4: return string.Format(Macros[r.Next(Macros.Length)], Gen(r, depth - 1), Gen(r, depth - 1));
            case 5: return $"[{Gen(r, depth - 1)}, ?{Gen(r, depth - 1)}]";
            default: return $"{{{Gen(r, depth - 1)}: {Gen(r, depth - 1)}}}";
        }
    }

    /// <summary>Random edits (delete, duplicate, insert odd characters) to reach the parser's error paths.</summary>
    private static string Mutate(Random r, string s)
    {
        const string odd = "()[]{}.,:?!'\"`\\\n\t&|=<>-+*/%_0x9eEuUbBrR\u00e9\uD83D\uDE00";
        var sb = new StringBuilder(s);
        int edits = 1 + r.Next(3);
        for (int i = 0; i < edits && sb.Length > 0; i++)
        {
            int at = r.Next(sb.Length);
            switch (r.Next(3))
            {
                case 0: sb.Remove(at, 1); break;
                case 1: sb.Insert(at, odd[r.Next(odd.Length)]); break;
                default: sb.Insert(at, sb.ToString(at, Math.Min(8, sb.Length - at))); break;
            }
        }
        return sb.ToString();
    }

    private static string? Check(string expr) => Check(expr, out _);

    /// <summary>Null when the library behaved; <paramref name="outcome"/> is 0 parse error, 1 error value, 2 value.</summary>
    private static string? Check(string expr, out int outcome)
    {
        outcome = 0;
        CelProgram program;
        try
        {
            program = Env.Compile(expr);
        }
        catch (CelParseException e)
        {
            return e.Line >= 1 && e.Column >= 1 ? null : $"bad position {e.Line}:{e.Column}";
        }
        catch (Exception e)
        {
            return $"compile threw {e.GetType().Name}: {e.Message}";
        }
        try
        {
            var v = program.Evaluate(Vars);
            outcome = v.IsError ? 1 : 2;
            if (v.IsError)
                return v.Error!.Kind == CelErrorKind.Internal ? $"internal error: {v.Error.Message}" : null;
            _ = v.ToString();
            _ = v.ToJsonNode()?.ToJsonString();
            return null;
        }
        catch (Exception e)
        {
            return $"evaluate threw {e.GetType().Name}: {e.Message}";
        }
    }

    [Fact]
    public void Random_expressions_never_crash()
    {
        // CEL_FUZZ_SEED / CEL_FUZZ_ITERATIONS allow longer local runs; the default run is fixed and short.
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CEL_FUZZ_SEED"), out int s) ? s : 20261123;
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("CEL_FUZZ_ITERATIONS"), out int n) ? n : 3000;
        var r = new Random(seed);
        var problems = new List<string>();
        var outcomes = new int[3];
        for (int i = 0; i < iterations; i++)
        {
            string expr = Gen(r, 1 + r.Next(5));
            if (r.Next(3) == 0) expr = Mutate(r, expr);
            if (Check(expr, out int outcome) is { } problem) problems.Add($"{expr}\n    {problem}");
            outcomes[outcome]++;
        }
        problems.ShouldBeEmpty(string.Join('\n', problems.Take(20)));
        // The generator must exercise all three paths, or the test proves nothing.
        outcomes.ShouldAllBe(n => n > 300, $"parse errors / error values / values: {string.Join(" / ", outcomes)}");
    }

    /// <summary>Inputs that once crashed or misbehaved; each stays as a regression test.</summary>
    [Theory]
    [InlineData("lists.range(9223372036854775807)")]
    [InlineData("'a'.replace('', 'b', 9223372036854775807)")]
    [InlineData("math.bitShiftLeft(1, 9223372036854775807)")]
    [InlineData("[1].slice(0, 9223372036854775807)")]
    [InlineData("'%.99999999999f'.format([1.0])")]
    [InlineData("timestamp(9223372036854775807)")]
    [InlineData("duration('9999999999999999999h')")]
    [InlineData("timestamp('2024-01-01T00:00:00Z').getHours('+99:99')")]
    [InlineData("'abc'.substring(9223372036854775807)")]
    [InlineData("'abc'.indexOf('', -9223372036854775808)")]
    [InlineData("[[1]].flatten(9223372036854775807)")]
    public void Regressions(string expr) => Check(expr).ShouldBeNull();
}
