namespace OpenChoreo.Cel.Tests;

/// <summary>
/// One check per feature the issue names (macros, optional syntax, conversions, built-ins and every listed
/// extension function), each an expression that must evaluate to <c>true</c>, so a missing function fails by name.
/// </summary>
public class LanguageCoverageTests
{
    [Theory]
    // Macros, including map with a filter (3 args) and the two-variable forms.
    [InlineData("has({'a': 1}.a) && !has({'a': 1}.b)")]
    [InlineData("[1, 2].all(x, x > 0) && [1, 2].exists(x, x == 2) && [1, 2].exists_one(x, x > 1)")]
    [InlineData("[1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].map(x, x > 1, x * 10) == [20, 30]")]
    [InlineData("[1, 2, 3].filter(x, x != 2) == [1, 3] && {'a': 1, 'b': 2}.filter(k, k == 'b') == ['b']")]
    [InlineData("[10, 20].all(i, v, v > i) && {'a': 1}.exists(k, v, k == 'a' && v == 1)")]
    [InlineData("[1, 2, 1].existsOne(i, v, v == 2) && [1, 2, 1].exists_one(i, v, v == 1) == false")]
    [InlineData("[1, 2].transformList(i, v, v * 10) == [10, 20] && [1, 2].transformList(i, v, i > 0, v) == [2]")]
    [InlineData("{'a': 1}.transformMap(k, v, v + 1) == {'a': 2} && {'a': 1, 'b': 2}.transformMap(k, v, v > 1, k) == {'b': 'b'}")]
    [InlineData("{'a': 1}.transformMapEntry(k, v, {v: k}) == {1: 'a'}")]
    [InlineData("cel.bind(x, 2, x * x) == 4")]
    // Literals: every escape, raw and triple-quoted strings, bytes, hex and unsigned integers, doubles.
    [InlineData(@"'\a\b\f\n\r\t\v\\\?\""\'\`' == '\x07\x08\x0c\x0a\x0d\x09\x0b\x5c\x3f\x22\x27\x60'")]
    [InlineData(@"'\101\x41\X41\u0041\U00000041' == 'AAAAA' && '\xFF' == 'ÿ' && r'\n' == '\\n' && R""\t"" == '\\t'")]
    [InlineData("'''a'b\"c''' == 'a\\'b\"c' && \"\"\"x\ny\"\"\" == 'x\\ny' && r'''\\d''' == '\\\\d'")]
    [InlineData(@"b'\xff\377\001'.size() == 3 && b'\xFF' == b'\377' && bytes('é').size() == 2 && b'é'.size() == 2")]
    [InlineData("0x1F == 31 && 0x1Fu == 31u && 18446744073709551615u == 0xFFFFFFFFFFFFFFFFu && 1e3 == 1000.0 && .5 == 0.5 && 2.5e-1 == 0.25")]
    // Map keys: int, uint, bool and string; numeric keys compare across types.
    [InlineData("{1: 'a'}[1u] == 'a' && {1: 'a'}[1.0] == 'a' && {true: 1}[true] == 1 && !(2 in {1: 'a'}) && 1u in {1: 'a'}")]
    // Optional syntax and the optional library.
    [InlineData("{'a': 1}.?a.value() == 1 && !{'a': 1}.?b.hasValue()")]
    [InlineData("[1][?0].value() == 1 && ![1][?5].hasValue() && {'k': 2}[?'k'].orValue(0) == 2")]
    [InlineData("{?'k': optional.none(), 'j': 1} == {'j': 1} && [?optional.none(), ?optional.of(2), 1] == [2, 1]")]
    [InlineData("optional.of(1).hasValue() && !optional.none().hasValue() && optional.of(3).value() == 3")]
    [InlineData("!optional.ofNonZeroValue(0).hasValue() && optional.ofNonZeroValue('x').value() == 'x'")]
    [InlineData("optional.none().or(optional.of(2)).value() == 2 && optional.none().orValue(3) == 3")]
    // Built-in string functions and conversions.
    [InlineData("'abc'.contains('b') && 'abc'.startsWith('ab') && 'abc'.endsWith('bc') && 'abc'.matches('^a[b-c]+$')")]
    [InlineData("int('12') == 12 && uint(3) == 3u && double(1) == 1.0 && string(1.5) == '1.5' && bytes('a') == b'a'")]
    [InlineData("bool('true') && dyn(1) == 1 && type(1u) == uint && type(type(1)) == type")]
    [InlineData("timestamp('2024-01-01T00:00:00Z') + duration('1h') == timestamp('2024-01-01T01:00:00Z')")]
    [InlineData("duration('90m').getHours() == 1 && timestamp('2024-05-06T07:08:09Z').getMonth('Europe/Paris') == 4")]
    // Strings extension.
    [InlineData("'hello'.charAt(1) == 'e' && 'hello'.indexOf('l') == 2 && 'hello'.lastIndexOf('l') == 3")]
    [InlineData("'HeLLo'.lowerAscii() == 'hello' && 'HeLLo'.upperAscii() == 'HELLO'")]
    [InlineData("'aaa'.replace('a', 'b') == 'bbb' && 'aaa'.replace('a', 'b', 2) == 'bba'")]
    [InlineData("'a,b,c'.split(',') == ['a', 'b', 'c'] && 'a,b,c'.split(',', 2) == ['a', 'b,c']")]
    [InlineData("'hello'.substring(1) == 'ello' && 'hello'.substring(1, 3) == 'el' && '  x \\t'.trim() == 'x'")]
    [InlineData("['a', 'b'].join() == 'ab' && ['a', 'b'].join('-') == 'a-b'")]
    [InlineData("strings.quote('a\"b\\n') == '\"a\\\\\"b\\\\n\"'")]
    [InlineData("'%s-%d-%.2f-%x'.format(['a', 7, 1.5, 255]) == 'a-7-1.50-ff'")]
    [InlineData("'abc'.reverse() == 'cba' && 'héllo'.reverse() == 'olléh'")]
    // Encoders.
    [InlineData("base64.encode(b'hi') == 'aGk=' && base64.decode('aGk=') == b'hi' && base64.decode('aGk') == b'hi'")]
    // Math extension, including the bit operations.
    [InlineData("math.greatest(1, 3, 2) == 3 && math.greatest([1.5, 2.5]) == 2.5 && math.least(-1, 2u) == -1")]
    [InlineData("math.ceil(1.2) == 2.0 && math.floor(-1.2) == -2.0 && math.round(2.5) == 3.0 && math.trunc(-1.7) == -1.0")]
    [InlineData("math.abs(-3) == 3 && math.sign(-2.5) == -1.0 && math.sign(0u) == 0u")]
    [InlineData("math.isNaN(0.0 / 0.0) && math.isInf(1.0 / 0.0) && math.isFinite(1.0) && !math.isFinite(-1.0 / 0.0)")]
    [InlineData("math.bitAnd(6, 3) == 2 && math.bitOr(6, 3) == 7 && math.bitXor(6, 3) == 5 && math.bitNot(0) == -1")]
    [InlineData("math.bitShiftLeft(1, 4) == 16 && math.bitShiftRight(1024, 2) == 256 && math.bitAnd(6u, 3u) == 2u")]
    // Lists extension.
    [InlineData("[1, 2, 3, 4].slice(1, 3) == [2, 3] && [[1], [2, [3]]].flatten() == [1, 2, [3]] && [[1], [2, [3]]].flatten(2) == [1, 2, 3]")]
    [InlineData("[1, 2, 1].distinct() == [1, 2] && [3, 1, 2].sort() == [1, 2, 3] && ['b', 'a'].sort() == ['a', 'b']")]
    [InlineData("[{'n': 2}, {'n': 1}].sortBy(e, e.n) == [{'n': 1}, {'n': 2}]")]
    [InlineData("lists.range(3) == [0, 1, 2] && lists.range(0) == []")]
    [InlineData("[1, 2].first().value() == 1 && [1, 2].last().value() == 2 && ![].first().hasValue() && ![].last().hasValue()")]
    // Sets extension.
    [InlineData("sets.contains([1, 2, 3], [2]) && sets.equivalent([1, 2], [2, 1, 1]) && sets.intersects([1], [1, 2]) && !sets.intersects([1], [2])")]
    public void Feature_is_implemented(string expr) => Eval.Json(expr).ShouldBe("true");

    [Theory]
    [InlineData(@"b'\U00000041'", 1, 3, "unicode escape in bytes literal")]
    [InlineData(@"'\400'", 1, 2, @"invalid escape sequence: \4")]
    [InlineData(@"'\x4'", 1, 2, "invalid hexadecimal escape sequence")]
    public void Escapes_outside_the_grammar_are_parse_errors(string expr, int line, int column, string reason)
    {
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile(expr));
        (e.Line, e.Column, e.Reason).ShouldBe((line, column, reason));
    }

    [Theory]
    [InlineData("{[1]: 2}", "unsupported key type: list")]
    [InlineData("{1.5: 2}", "unsupported key type: double")]
    [InlineData("{null: 2}", "unsupported key type: null_type")]
    public void Map_keys_of_other_types_are_errors(string expr, string message)
    {
        var e = Eval.Error(expr);
        (e.Kind, e.Message).ShouldBe((CelErrorKind.InvalidArgument, message));
    }
}
