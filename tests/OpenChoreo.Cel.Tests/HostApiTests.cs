using System.Text.Json.Nodes;

namespace OpenChoreo.Cel.Tests;

public class HostApiTests
{
    private static CelValue Merge(ReadOnlySpan<CelValue> maps)
    {
        var entries = new List<KeyValuePair<CelValue, CelValue>>();
        var seen = new Dictionary<string, int>();
        foreach (var m in maps)
        {
            if (m.Kind != CelKind.Map) return CelValue.FromError(CelErrorKind.NoSuchOverload, "oc_merge expects maps");
            foreach (var (k, v) in (JsonObject)m.ToJsonNode()!)
            {
                var kv = new KeyValuePair<CelValue, CelValue>(CelValue.FromString(k), CelValue.FromJson(v?.DeepClone()));
                if (seen.TryGetValue(k, out int i)) entries[i] = kv;
                else { seen[k] = entries.Count; entries.Add(kv); }
            }
        }
        return CelValue.FromMap(entries);
    }

    private static readonly CelEnvironment Env = CelEnvironment.Default
        .WithFunction("oc_merge", CelOverload.AnyVariadic(1, Merge))
        .WithFunction("oc_hash",
            new CelOverload(a => CelValue.FromString("s:" + a[0].AsString), [CelKind.String]),
            new CelOverload(a => CelValue.FromString("i:" + a[0].AsInt), [CelKind.Int]))
        .WithFunction("shout", new CelOverload(a => CelValue.FromString(a[0].AsString.ToUpperInvariant() + "!"), [CelKind.String], ReceiverStyle: true))
        .WithFunction("oc_fail", CelOverload.Any(0, _ => throw new InvalidOperationException("boom")))
        .WithFunction("oc.twice", (CelValue v) => Operators2.Twice(v));

    [Fact]
    public void Variadic_custom_function_merges_maps()
    {
        Eval.Json("oc_merge({'a': 1, 'b': {'x': 1}}, {'b': 2}, {'c': [1]})", env: Env).ShouldBe("""{"a":1,"b":2,"c":[1]}""");
        Eval.Json("oc_merge({'a': 1})", env: Env).ShouldBe("""{"a":1}""");
    }

    [Fact]
    public void Overloads_dispatch_on_argument_kinds()
    {
        Eval.Json("oc_hash('x') + ',' + oc_hash(2)", env: Env).ShouldBe("\"s:x,i:2\"");
        var e = Eval.Error("oc_hash(1.5)", env: Env);
        e.Kind.ShouldBe(CelErrorKind.NoSuchOverload);
        e.Message.ShouldBe("no such overload: oc_hash(double)");
    }

    [Fact]
    public void Arity_mismatch_is_an_overload_error()
    {
        var e = Eval.Error("oc_hash('a', 'b')", env: Env);
        e.Kind.ShouldBe(CelErrorKind.NoSuchOverload);
        e.Message.ShouldBe("no such overload: oc_hash with 2 argument(s)");
    }

    [Fact]
    public void Receiver_style_and_namespaced_functions()
    {
        Eval.Json("'hi'.shout()", env: Env).ShouldBe("\"HI!\"");
        Eval.Json("oc.twice(21)", env: Env).ShouldBe("42");
    }

    [Fact]
    public void Throwing_function_becomes_an_error_value()
    {
        var e = Eval.Error("oc_fail()", env: Env);
        e.Kind.ShouldBe(CelErrorKind.FunctionFailed);
        e.Message.ShouldBe("oc_fail failed: boom");
        e.ToString().ShouldBe("<input>:1:1: oc_fail failed: boom");
    }

    [Fact]
    public void Custom_functions_do_not_leak_into_other_environments()
    {
        Eval.Error("oc_merge({})").Message.ShouldBe("undeclared reference to 'oc_merge' (unknown function)");
    }

    [Fact]
    public void Json_round_trip_keeps_int_and_double_apart()
    {
        var vars = new Dictionary<string, JsonNode?> { ["p"] = JsonNode.Parse("""{"i": 2, "d": 2.0, "big": 18446744073709551615}""") };
        var p = CelEnvironment.Default.Compile("{'i': p.i, 'd': p.d, 'sum': p.i + 1, 'prod': p.d * 1.5, 'u': p.big, 'types': [type(p.i), type(p.d), type(p.big)]}");
        var node = p.Evaluate(vars).ToJsonNode()!.AsObject();
        node["i"]!.GetValue<long>().ShouldBe(2);
        node["d"]!.GetValue<double>().ShouldBe(2.0);
        node["d"]!.AsValue().TryGetValue<long>(out _).ShouldBeFalse();
        node["sum"]!.GetValue<long>().ShouldBe(3);
        node["prod"]!.GetValue<double>().ShouldBe(3.0);
        node["u"]!.GetValue<ulong>().ShouldBe(ulong.MaxValue);
        node["types"]!.ToJsonString().ShouldBe("""["int","double","uint"]""");
    }

    [Fact]
    public void Yaml_style_primitives_are_read()
    {
        // What the platform's YAML codec produces: JsonValue over long/double/bool/string.
        var obj = new JsonObject { ["n"] = JsonValue.Create(5L), ["f"] = JsonValue.Create(0.25), ["b"] = JsonValue.Create(true), ["s"] = JsonValue.Create("x"), ["i32"] = JsonValue.Create(7) };
        CelEnvironment.Default.Compile("n * 2 == 10 && f * 4.0 == 1.0 && b && s == 'x' && i32 == 7").Evaluate(obj).AsBool.ShouldBeTrue();
    }

    [Fact]
    public void Plain_dotnet_values_are_accepted()
    {
        var vars = new Dictionary<string, object?>
        {
            ["list"] = new List<int> { 1, 2, 3 },
            ["map"] = new Dictionary<string, object?> { ["k"] = "v", ["n"] = null },
            ["when"] = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero),
            ["span"] = TimeSpan.FromMinutes(90),
            ["dec"] = 1.5m,
        };
        CelEnvironment.Default.Compile("list.size() == 3 && map.k == 'v' && map.n == null && when.getHours() == 10 && span == duration('1h30m') && dec == 1.5")
            .Evaluate(vars).AsBool.ShouldBeTrue();
    }

    [Fact]
    public void Results_convert_to_json()
    {
        Eval.Json("{'ts': timestamp('2024-01-02T03:04:05.5Z'), 'd': duration('90s'), 'b': b'hi', 'o': optional.of(1), 'n': optional.none(), 'nan': double('nan'), 'k': {1: 'x'}}")
            .ShouldBe("""{"ts":"2024-01-02T03:04:05.5Z","d":"90s","b":"aGk=","o":1,"n":null,"nan":"NaN","k":{"1":"x"}}""");
    }

    [Fact]
    public void Error_value_to_json_throws_with_the_error()
    {
        var v = CelEnvironment.Default.Compile("1 / 0").Evaluate();
        var ex = Should.Throw<CelEvaluationException>(() => v.ToJsonNode());
        ex.Error.Kind.ShouldBe(CelErrorKind.DivisionByZero);
        ex.Message.ShouldBe("<input>:1:3: division by zero");
    }

    [Fact]
    public void Input_json_is_not_modified_or_reparented()
    {
        var input = JsonNode.Parse("""{"items": [{"a": 1}], "m": {"x": 1}}""")!.AsObject();
        var result = CelEnvironment.Default.Compile("[items, m, items[0]]").Evaluate(input).ToJsonNode()!;
        result.ToJsonString().ShouldBe("""[[{"a":1}],{"x":1},{"a":1}]""");
        input.ToJsonString().ShouldBe("""{"items":[{"a":1}],"m":{"x":1}}""");
        input["items"]!.Parent.ShouldBeSameAs(input);
    }

    [Fact]
    public void Compile_returns_the_cached_program()
    {
        var env = CelEnvironment.Create(new CelLimits { CompileCacheSize = 4 });
        var a = env.Compile("1 + 1");
        env.Compile("1 + 1").ShouldBeSameAs(a);
        for (int i = 0; i < 10; i++) env.Compile($"{i}");
        // The cache stays bounded: after overflowing it, the program is compiled anew (and still works).
        env.Compile("1 + 1").Evaluate().AsInt.ShouldBe(2);
    }

    [Fact]
    public void TryCompile_reports_the_parse_error()
    {
        CelEnvironment.Default.TryCompile("1 +", out var program, out var error).ShouldBeFalse();
        program.ShouldBeNull();
        error!.Line.ShouldBe(1);
        error.Column.ShouldBe(4);
    }

    [Fact]
    public async Task Programs_evaluate_concurrently()
    {
        var program = Env.Compile("items.filter(i, i % 2 == 0).map(i, i * k).size() + oc_merge({'a': k}).a");
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                var vars = new Dictionary<string, object?> { ["items"] = Enumerable.Range(0, 20 + t).ToList(), ["k"] = (long)i };
                long expected = ((20 + t + 1) / 2) + i;
                var v = program.Evaluate(vars);
                if (v.IsError || v.AsInt != expected) return $"thread {t} iteration {i}: {v}";
            }
            return null;
        }, TestContext.Current.CancellationToken)).ToArray();
        var results = await Task.WhenAll(tasks);
        results.Where(r => r != null).ShouldBeEmpty();
    }

    [Fact]
    public void Container_resolves_qualified_names()
    {
        var env = CelEnvironment.Default.WithContainer("com.example");
        var vars = new Dictionary<string, object?> { ["com.example.y"] = 7, ["x"] = 1 };
        env.Compile("y + x").Evaluate(vars).AsInt.ShouldBe(8);
    }
}

internal static class Operators2
{
    public static CelValue Twice(CelValue v) => v.Kind == CelKind.Int ? CelValue.FromInt(v.AsInt * 2) : CelValue.FromError(CelErrorKind.NoSuchOverload, "twice expects int");
}
