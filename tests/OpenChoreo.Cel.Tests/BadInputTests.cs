using System.Text;
using System.Text.Json.Nodes;

namespace OpenChoreo.Cel.Tests;

/// <summary>Hostile input ends in a clean error within the budget: no crash, stack overflow or hang.</summary>
public class BadInputTests
{
    [Theory]
    [InlineData("(", ")", 100_000)]
    [InlineData("[", "]", 100_000)]
    [InlineData("{1: ", "}", 50_000)]
    [InlineData("f(", ")", 50_000)]
    [InlineData("!", "", 100_000)]
    [InlineData("-", "", 100_000)]
    [InlineData("a[", "]", 50_000)]
    [InlineData("1 ? 2 : ", "3", 30_000)]
    public void Deep_nesting_is_a_parse_error(string open, string close, int depth)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < depth && sb.Length < 99_000 - open.Length; i++) sb.Append(open);
        int opened = sb.Length / open.Length;
        sb.Append('1');
        for (int i = 0; i < opened; i++) sb.Append(close);
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile(sb.ToString()));
        e.Reason.ShouldContain("limit");
    }

    [Fact]
    public void Long_operator_chain_is_rejected_by_depth_not_by_the_stack()
    {
        string expr = string.Join(" + ", Enumerable.Repeat("1", 20_000));
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile(expr));
        e.Reason.ShouldBe("expression nesting depth 20000 exceeds the limit of 250");
    }

    [Fact]
    public void Oversized_expression_is_rejected()
    {
        string expr = "'" + new string('x', 200_000) + "'";
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile(expr));
        e.Reason.ShouldBe("expression is 200002 characters, more than the limit of 100000");
        e.Line.ShouldBe(1);
        e.Column.ShouldBe(1);
    }

    [Fact]
    public void Huge_numeric_literals_are_parse_errors()
    {
        Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile(new string('9', 5000)))
            .Reason.ShouldBe("integer literal out of range");
        Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile("0x" + new string('f', 40)))
            .Reason.ShouldBe("integer literal out of range");
        // A huge double literal is +Inf, as in other CEL implementations.
        Eval.Json("1" + new string('0', 400) + ".0 == double('inf')").ShouldBe("true");
    }

    [Fact]
    public void Invalid_utf8_source_is_a_parse_error_at_the_bad_byte()
    {
        byte[] bytes = [(byte)'1', (byte)' ', (byte)'+', (byte)' ', 0xC3, 0x28];
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.CompileUtf8(bytes));
        e.Reason.ShouldBe("invalid UTF-8 at byte 4");
        e.Column.ShouldBe(5);
        CelEnvironment.Default.CompileUtf8("'é' + 'x'"u8).Evaluate().AsString.ShouldBe("éx");
    }

    [Fact]
    public void Unpaired_surrogate_in_source_is_a_parse_error()
    {
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile("'a\uD800b'"));
        e.Reason.ShouldBe("invalid UTF-16 text: unpaired surrogate");
        e.Column.ShouldBe(3);
    }

    [Fact]
    public void Invalid_utf8_bytes_do_not_convert_to_string()
    {
        Eval.Error("string(b'\\xc3\\x28')").Message.ShouldBe("invalid UTF-8 in bytes, cannot convert to string");
    }

    [Theory]
    [InlineData("lists.range(100000).map(i, lists.range(100000).map(j, j)).size()")]
    [InlineData("lists.range(5000).all(i, lists.range(5000).all(j, i + j >= 0))")]
    [InlineData("lists.range(1000).map(i, lists.range(1000).map(j, lists.range(1000).size())).size()")]
    public void Unbounded_comprehensions_exceed_the_budget(string expr)
    {
        var env = CelEnvironment.Create(new CelLimits { MaxCost = 1_000_000 });
        var e = Eval.Error(expr, env: env);
        e.Kind.ShouldBe(CelErrorKind.BudgetExceeded);
        e.Message.ShouldBe("evaluation cost budget of 1000000 exceeded");
    }

    [Fact]
    public void String_doubling_exceeds_the_budget()
    {
        // Each bind doubles the string; without size-aware costs this would allocate 2^60 characters.
        var sb = new StringBuilder("'xxxxxxxxxxxxxxxx'");
        for (int i = 0; i < 60; i++) sb.Insert(0, $"cel.bind(s{i}, ").Append($", s{i} + s{i})");
        var e = Eval.Error(sb.ToString());
        e.Kind.ShouldBe(CelErrorKind.BudgetExceeded);
    }

    [Fact]
    public void Error_absorbing_or_does_not_hide_an_exhausted_budget()
    {
        var env = CelEnvironment.Create(new CelLimits { MaxCost = 10_000 });
        var e = Eval.Error("lists.range(100).all(i, lists.range(1000).all(j, j >= 0)) || true", env: env);
        e.Kind.ShouldBe(CelErrorKind.BudgetExceeded);
    }

    [Fact]
    public void Deeply_nested_host_values_fail_cleanly()
    {
        var vars = new Dictionary<string, JsonNode?> { ["a"] = Nested(100_000), ["b"] = Nested(100_000) };
        var v = CelEnvironment.Default.Compile("a == b").Evaluate(vars);
        v.IsError.ShouldBeTrue();
        v.Error!.Kind.ShouldBe(CelErrorKind.BudgetExceeded);
        v.Error.Message.ShouldBe("evaluation nested too deeply");
    }

    /// <summary>[[[...]]] built inside-out (adding a child to a parented array walks the parent chain).</summary>
    private static JsonNode Nested(int depth)
    {
        var node = new JsonArray();
        for (int i = 0; i < depth; i++) node = new JsonArray(node);
        return node;
    }

    [Fact]
    public void Regex_cannot_backtrack_catastrophically()
    {
        string input = new string('a', 50_000) + "!";
        var v = CelEnvironment.Default.Compile("s.matches('^(a+)+$')").Evaluate(new Dictionary<string, object?> { ["s"] = input });
        v.IsError.ShouldBeFalse();
        v.AsBool.ShouldBeFalse();
    }
}
