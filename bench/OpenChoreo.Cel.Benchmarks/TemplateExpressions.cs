using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;

namespace OpenChoreo.Cel.Benchmarks;

/// <summary>
/// Ten expressions shaped like the ones in ComponentType/Trait templates, parsed (uncached) and evaluated
/// (compiled once) against JSON variables holding a 100-item list. Numbers are JsonValue over long, strings over
/// string, as the platform's YAML codec produces them.
/// </summary>
[MemoryDiagnoser]
public class TemplateExpressions
{
    public static readonly Dictionary<string, string> Expressions = new()
    {
        ["selection"] = "parameters.replicas",
        ["nested-selection"] = "parameters.resources.limits.cpu",
        ["concat"] = "metadata.name + '-' + parameters.image.repository + ':' + parameters.image.tag",
        ["has-ternary"] = "has(parameters.autoscaling) && parameters.autoscaling.enabled ? parameters.autoscaling.max : parameters.replicas",
        ["filter-100"] = "parameters.items.filter(i, i.enabled)",
        ["map-100"] = "parameters.items.map(i, i.name)",
        ["exists-100"] = "parameters.items.exists(i, i.name == 'item-99')",
        ["merge-custom-fn"] = "oc_merge(parameters.labels, {'app': metadata.name, 'tier': 'backend'})",
        ["format"] = "'%s-%s'.format([metadata.name, parameters.image.tag]).lowerAscii()",
        ["env-list"] = "parameters.env.map(e, {'name': e.key.upperAscii(), 'value': string(e.value)})",
    };

    private CelEnvironment _env = null!;
    private CelProgram _program = null!;
    private Dictionary<string, JsonNode?> _vars = null!;
    private string _source = null!;

    [ParamsSource(nameof(Names))]
    public string Expression { get; set; } = "selection";

    public static IEnumerable<string> Names => Expressions.Keys;

    [GlobalSetup]
    public void Setup()
    {
        _env = CelEnvironment.Default.WithFunction("oc_merge", CelOverload.AnyVariadic(1, Merge));
        _source = Expressions[Expression];
        _program = _env.Compile(_source);
        var items = new JsonArray();
        for (int i = 0; i < 100; i++) items.Add(new JsonObject { ["name"] = $"item-{i}", ["enabled"] = i % 3 == 0, ["port"] = 8000L + i });
        var env = new JsonArray();
        for (int i = 0; i < 10; i++) env.Add(new JsonObject { ["key"] = $"var_{i}", ["value"] = (long)i });
        _vars = new Dictionary<string, JsonNode?>
        {
            ["metadata"] = new JsonObject { ["name"] = "checkout", ["namespace"] = "default" },
            ["parameters"] = new JsonObject
            {
                ["replicas"] = 3L,
                ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "256Mi" } },
                ["image"] = new JsonObject { ["repository"] = "registry.local/checkout", ["tag"] = "v1.2.3" },
                ["autoscaling"] = new JsonObject { ["enabled"] = true, ["max"] = 10L },
                ["labels"] = new JsonObject { ["team"] = "payments", ["env"] = "dev" },
                ["items"] = items,
                ["env"] = env,
            },
        };
        var check = _program.Evaluate(_vars);
        if (check.IsError) throw new InvalidOperationException($"{Expression}: {check.Error}");
    }

    [Benchmark]
    public CelProgram Parse() => _env.CompileUncached(_source, macros: true);

    [Benchmark]
    public CelValue Evaluate() => _program.Evaluate(_vars);

    private static CelValue Merge(ReadOnlySpan<CelValue> maps)
    {
        var result = new JsonObject();
        foreach (var m in maps)
        {
            foreach (var (k, v) in (JsonObject)m.ToJsonNode()!) result[k] = v?.DeepClone();
        }
        return CelValue.FromJson(result);
    }
}
