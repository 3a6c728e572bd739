namespace OpenChoreo.Cel.Tests;

public class EvaluationTests
{
    private const string Params = """
        {"parameters": {"replicas": 3, "cpu": 0.5, "name": "api", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
          "labels": {"team": "core"}, "enabled": true, "nothing": null},
         "metadata": {"name": "svc", "namespace": "default"}}
        """;

    [Theory]
    [InlineData("parameters.replicas", "3")]
    [InlineData("parameters.cpu", "0.5")]
    [InlineData("parameters.replicas + 1", "4")]
    [InlineData("parameters.cpu * 2.0", "1")]
    [InlineData("parameters.replicas == 3.0", "true")]
    [InlineData("metadata.name + '-' + metadata.namespace", "\"svc-default\"")]
    [InlineData("parameters.env.map(e, e.name + '=' + e.value)", "[\"A=1\",\"B=2\"]")]
    [InlineData("parameters.env.filter(e, e.value == '2').size()", "1")]
    [InlineData("parameters.env.exists(e, e.name == 'B')", "true")]
    [InlineData("has(parameters.labels.team) ? parameters.labels.team : 'none'", "\"core\"")]
    [InlineData("has(parameters.missing)", "false")]
    [InlineData("parameters.nothing == null", "true")]
    [InlineData("parameters.labels.transformMap(k, v, v.upperAscii())", "{\"team\":\"CORE\"}")]
    [InlineData("parameters.env.transformMapEntry(i, e, {e.name: i})", "{\"A\":0,\"B\":1}")]
    [InlineData("parameters.env.all(i, e, i < 2 && e.name != '')", "true")]
    [InlineData("cel.bind(n, parameters.name, n + n)", "\"apiapi\"")]
    [InlineData("'%s has %d replicas'.format([parameters.name, parameters.replicas])", "\"api has 3 replicas\"")]
    [InlineData("parameters.?missing.orValue('dflt')", "\"dflt\"")]
    [InlineData("[3, 1, 2].sort()", "[1,2,3]")]
    [InlineData("parameters.env.sortBy(e, -e.value.size()).map(e, e.name)", "[\"A\",\"B\"]")]
    [InlineData("lists.range(3).map(i, i * i)", "[0,1,4]")]
    [InlineData("[[1], [2, [3]]].flatten()", "[1,2,[3]]")]
    [InlineData("sets.contains([1, 2, 3], [2, 3])", "true")]
    [InlineData("math.greatest(1, 2.5, 2u)", "2.5")]
    [InlineData("base64.encode(b'hi')", "\"aGk=\"")]
    [InlineData("string(base64.decode('aGk'))", "\"hi\"")]
    [InlineData("'a,b,,c'.split(',')", "[\"a\",\"b\",\"\",\"c\"]")]
    [InlineData("' x '.trim() + 'Hello'.substring(1, 3) + 'abc'.charAt(1)", "\"xelb\"")]
    [InlineData("duration('1h30m') + duration('30m') == duration('2h')", "true")]
    [InlineData("timestamp('2024-01-31T23:00:00Z').getDayOfMonth('+02:00')", "0")]
    [InlineData("timestamp('2024-03-10T12:00:00Z').getHours('America/New_York')", "8")]
    [InlineData("string(timestamp('2024-01-01T00:00:00Z') + duration('1.5s'))", "\"2024-01-01T00:00:01.5Z\"")]
    [InlineData("type(parameters.replicas) == int && type(parameters.cpu) == double", "true")]
    [InlineData("'abc'.matches('^a.c$') && !'a\\nc'.matches('^a.c$')", "true")]
    [InlineData("{1: 'a', 2u: 'b'}[2]", "\"b\"")]
    [InlineData("[1, 'a', [true]] == [1.0, 'a', [true]]", "true")]
    [InlineData("1 < 1.5 && 2u > 1 && -1 < 0u", "true")]
    [InlineData("[1, 2, 2].isSorted() && ![2, 1].isSorted()", "true")]
    [InlineData("[1, 2, 3].sum() + [4, 9].max() - [5, 2].min()", "13")]
    [InlineData("[1, 2, 1].indexOf(1) + [1, 2, 1].lastIndexOf(1) + 'abca'.indexOf('a')", "2")]
    public void Template_like_expressions(string expr, string expected) => Eval.Json(expr, Params).ShouldBe(expected);

    [Theory]
    [InlineData("parameters.missing", CelErrorKind.NoSuchKey, "no such key: missing")]
    [InlineData("parameters.env[5]", CelErrorKind.IndexOutOfRange, "index out of bounds: 5 (list size 2)")]
    [InlineData("parameters.nothing.field", CelErrorKind.NoSuchField, "no such field 'field': the value is null")]
    [InlineData("nope.field", CelErrorKind.NoSuchVariable, "no such attribute: undeclared reference to 'nope.field'")]
    [InlineData("parameters.replicas + parameters.cpu", CelErrorKind.NoSuchOverload, "no such overload: _+_(int, double)")]
    [InlineData("parameters.name.field", CelErrorKind.NoSuchOverload, "type 'string' does not support field selection ('field')")]
    [InlineData("unknownFn(1)", CelErrorKind.NoSuchOverload, "undeclared reference to 'unknownFn' (unknown function)")]
    [InlineData("9223372036854775807 + 1", CelErrorKind.Overflow, "integer overflow")]
    [InlineData("-9223372036854775808 - 1", CelErrorKind.Overflow, "integer overflow")]
    [InlineData("-9223372036854775808 / -1", CelErrorKind.Overflow, "integer overflow")]
    [InlineData("0u - 1u", CelErrorKind.Overflow, "integer overflow")]
    [InlineData("int(1e19)", CelErrorKind.Overflow, "int conversion out of range")]
    [InlineData("1 / 0", CelErrorKind.DivisionByZero, "division by zero")]
    [InlineData("1 % 0", CelErrorKind.DivisionByZero, "modulus by zero")]
    [InlineData("timestamp('9999-12-31T23:59:59Z') + duration('1s')", CelErrorKind.Overflow, "timestamp out of range")]
    [InlineData("string(b'\\xff')", CelErrorKind.InvalidArgument, "invalid UTF-8 in bytes, cannot convert to string")]
    [InlineData("'a'.matches('(?=a)')", CelErrorKind.InvalidArgument, "invalid regular expression '(?=a)': invalid or unsupported Perl syntax: (?=")]
    [InlineData("'a'.matches('(a)\\\\1')", CelErrorKind.InvalidArgument, "invalid regular expression '(a)\\1': backreferences are not supported")]
    [InlineData("{'a': 1, 'a': 2}", CelErrorKind.InvalidArgument, "map literal has a repeated key: \"a\"")]
    [InlineData("optional.none().value()", CelErrorKind.InvalidArgument, "optional.none() dereference")]
    public void Errors_have_a_kind_and_message(string expr, CelErrorKind kind, string message)
    {
        var e = Eval.Error(expr, Params);
        e.Kind.ShouldBe(kind);
        e.Message.ShouldBe(message);
        e.Line.ShouldBe(1);
        e.Column.ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("parameters.missing || true", "true")]
    [InlineData("true || parameters.missing", "true")]
    [InlineData("parameters.missing && false", "false")]
    [InlineData("false ? parameters.missing : 1", "1")]
    [InlineData("[1, 0].exists(x, 1 / x == 1)", "true")]
    [InlineData("[0, 1].all(x, x == 0 && 1 / x == 1)", "false")]
    public void Logical_operators_absorb_errors(string expr, string expected) => Eval.Json(expr, Params).ShouldBe(expected);

    [Fact]
    public void Missing_data_is_distinguishable_for_includeWhen()
    {
        Eval.Error("parameters.feature.enabled", Params).IsMissingData.ShouldBeTrue();
        Eval.Error("undefinedVar", Params).IsMissingData.ShouldBeTrue();
        Eval.Error("1 / 0", Params).IsMissingData.ShouldBeFalse();
    }

    [Fact]
    public void Reserved_word_field_names_select()
    {
        Eval.Json("self.var && has(self.namespace)", """{"self": {"var": true, "namespace": "x"}}""").ShouldBe("true");
    }

    [Fact]
    public void Qualified_variable_names_win_over_selection()
    {
        var vars = new Dictionary<string, object?> { ["a.b"] = 1, ["a"] = new Dictionary<string, object?> { ["b"] = 2 } };
        CelEnvironment.Default.Compile("a.b").Evaluate(vars).AsInt.ShouldBe(1);
    }
}
