namespace OpenChoreo.Cel.Tests;

public class ParserTests
{
    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("10 - 4 - 3", "3")]
    [InlineData("100 / 10 / 5", "2")]
    [InlineData("true || false && false", "true")]
    [InlineData("false ? 1 : true ? 2 : 3", "2")]
    [InlineData("!!true", "true")]
    [InlineData("--5", "5")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("0x1F + 0x10 == 47 && 0x10u == 16u", "true")]
    [InlineData("1 < 2 == true", "true")]
    [InlineData("2 in [1, 2] && !(3 in [1, 2])", "true")]
    [InlineData("[1, 2, 3][1]", "2")]
    [InlineData("{'a': {'b': 5}}.a.b", "5")]
    [InlineData("{'a-b': 1}.`a-b`", "1")]
    [InlineData("'abc'.size() + size('de')", "5")]
    [InlineData("1.5e3", "1500")]
    [InlineData(".5 + 1.", "error(NoSuchOverload)")]
    [InlineData("{'var': 1}.var", "1")]
    public void Operators_have_CEL_precedence(string expr, string expected)
    {
        string actual;
        try
        {
            actual = Eval.Json(expr);
        }
        catch (CelParseException)
        {
            actual = "error(NoSuchOverload)";
        }
        if (expected.StartsWith("error(", StringComparison.Ordinal)) actual.ShouldStartWith(expected);
        else actual.ShouldBe(expected);
    }

    [Theory]
    [InlineData(@"'a\tb\n'", "a\tb\n")]
    [InlineData(@"""\x41\101\u0041\U00000041""", "AAAA")]
    [InlineData(@"r'a\tb'", @"a\tb")]
    [InlineData("'''multi\nline'''", "multi\nline")]
    [InlineData(@"""""""say ""hi"" """"""", @"say ""hi"" ")]
    [InlineData(@"'\''", "'")]
    [InlineData(@"'\u00e9\U0001F600'", "é😀")]
    public void String_literals_decode_every_escape_form(string expr, string expected)
    {
        var v = Eval.Run(expr);
        v.Kind.ShouldBe(CelKind.String);
        v.AsString.ShouldBe(expected);
    }

    [Fact]
    public void Bytes_literals_keep_raw_octets()
    {
        var v = Eval.Run(@"b'\xff\000é'");
        v.AsBytes.ShouldBe(new byte[] { 0xff, 0x00, 0xc3, 0xa9 });
    }

    [Theory]
    [InlineData("1 +", 1, 4, "unexpected end of input, expected an expression")]
    [InlineData("a.b(\n  c,,)", 2, 5, "unexpected ',', expected an expression")]
    [InlineData("[1 2]", 1, 4, "unexpected literal, expected ']'")]
    [InlineData("{'a' 1}", 1, 6, "unexpected literal, expected ':'")]
    [InlineData("'unterminated", 1, 1, "unterminated string literal")]
    [InlineData(@"'\q'", 1, 2, @"invalid escape sequence: \q")]
    [InlineData("9223372036854775808", 1, 1, "integer literal out of range")]
    [InlineData("18446744073709551616u", 1, 1, "uint literal out of range")]
    [InlineData("a = 1", 1, 3, "token recognition error at: '='")]
    [InlineData("var", 1, 1, "reserved identifier: var")]
    [InlineData("[1, 2].all(x.y, true)", 1, 13, "all() variable name must be a simple identifier")]
    [InlineData("has(a)", 1, 5, "invalid argument to has() macro")]
    [InlineData(@"'\uD800'", 1, 2, "invalid unicode code point in escape sequence")]
    [InlineData("x # y", 1, 3, "token recognition error at: '#'")]
    public void Parse_errors_report_line_column_and_reason(string expr, int line, int column, string reason)
    {
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile(expr));
        e.Line.ShouldBe(line);
        e.Column.ShouldBe(column);
        e.Reason.ShouldStartWith(reason);
        e.Message.ShouldBe($"ERROR: <input>:{line}:{column}: {e.Reason}");
    }

    [Fact]
    public void Macros_are_not_expanded_for_other_arities()
    {
        // exists with one argument is an ordinary (unknown) receiver call.
        Eval.Error("[1].exists(1)").Kind.ShouldBe(CelErrorKind.NoSuchOverload);
    }

    [Fact]
    public void Message_construction_parses_and_fails_at_evaluation()
    {
        var e = Eval.Error("my.pkg.Thing{name: 'x'}");
        e.Kind.ShouldBe(CelErrorKind.NoSuchOverload);
        e.Message.ShouldBe("unknown type 'my.pkg.Thing': message construction is not supported");
    }

    [Fact]
    public void Optional_syntax_parses()
    {
        Eval.Json("{'a': 1}.?a.orValue(0) + {'a': 1}.?b.orValue(10)").ShouldBe("11");
        Eval.Json("[?optional.none(), ?optional.of(2), 3]").ShouldBe("[2,3]");
        Eval.Json("{?'x': optional.none(), 'y': 1}").ShouldBe("""{"y":1}""");
        Eval.Json("[1, 2][?5].hasValue()").ShouldBe("false");
    }

    [Fact]
    public void Comments_and_whitespace_are_ignored()
    {
        Eval.Json("1 + // one\n\t2 // two\n").ShouldBe("3");
    }
}
