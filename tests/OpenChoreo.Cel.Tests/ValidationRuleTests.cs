using System.Text.Json.Nodes;

namespace OpenChoreo.Cel.Tests;

/// <summary>The Kubernetes x-kubernetes-validations rules the API validation relies on.</summary>
public class ValidationRuleTests
{
    private static CelValue Eval(string expr, string self, string? oldSelf = null)
    {
        var vars = new Dictionary<string, JsonNode?> { ["self"] = JsonNode.Parse(self) };
        if (oldSelf != null) vars["oldSelf"] = JsonNode.Parse(oldSelf);
        return CelEnvironment.Default.Compile(expr).Evaluate(vars);
    }

    [Theory]
    [InlineData("self == oldSelf", """{"a":1,"b":[1,2]}""", """{"b":[1,2],"a":1}""", true)]
    [InlineData("self == oldSelf", """{"a":1}""", """{"a":2}""", false)]
    [InlineData("self == oldSelf", "\"x\"", "\"x\"", true)]
    [InlineData("self == oldSelf", "1", "1.0", true)]
    [InlineData("has(self.type) || has(self.componentType)", """{"type":"x"}""", null, true)]
    [InlineData("has(self.type) || has(self.componentType)", """{"other":"x"}""", null, false)]
    [InlineData("has(self.value) != has(self.valueFrom)", """{"value":"v"}""", null, true)]
    [InlineData("has(self.value) != has(self.valueFrom)", """{"value":"v","valueFrom":{}}""", null, false)]
    [InlineData("!has(self.forEach) || has(self.var)", """{"forEach":"x"}""", null, false)]
    [InlineData("!has(self.forEach) || has(self.var)", """{}""", null, true)]
    [InlineData("self.resources.exists(r, r.id == self.workloadType)", """{"workloadType":"deployment","resources":[{"id":"svc"},{"id":"deployment"}]}""", null, true)]
    [InlineData("self.resources.exists(r, r.id == self.workloadType)", """{"workloadType":"cronjob","resources":[{"id":"svc"}]}""", null, false)]
    [InlineData("!has(oldSelf.dataPlaneRef) || size(oldSelf.dataPlaneRef) == 0 || self.dataPlaneRef == oldSelf.dataPlaneRef", """{"dataPlaneRef":"a"}""", """{"dataPlaneRef":""}""", true)]
    [InlineData("!has(oldSelf.dataPlaneRef) || size(oldSelf.dataPlaneRef) == 0 || self.dataPlaneRef == oldSelf.dataPlaneRef", """{"dataPlaneRef":"a"}""", """{"dataPlaneRef":"b"}""", false)]
    public void Rules_evaluate_over_json(string expr, string self, string? oldSelf, bool expected)
    {
        var v = Eval(expr, self, oldSelf);
        v.IsError.ShouldBeFalse(v.Error?.ToString());
        v.Kind.ShouldBe(CelKind.Bool);
        v.AsBool.ShouldBe(expected);
    }

    [Fact]
    public void Missing_field_is_a_missing_data_error_with_position()
    {
        var v = Eval("self.spec.replicas > 1", """{"spec":{}}""");
        v.IsError.ShouldBeTrue();
        v.Error!.Kind.ShouldBe(CelErrorKind.NoSuchKey);
        v.Error.IsMissingData.ShouldBeTrue();
        v.Error.Line.ShouldBe(1);
        v.Error.Column.ShouldBe(10);
        v.Error.ToString().ShouldBe("<input>:1:10: no such key: replicas");
    }

    [Fact]
    public void Parse_error_has_line_and_column()
    {
        var e = Should.Throw<CelParseException>(() => CelEnvironment.Default.Compile("self.a ==\n  (1 + )"));
        e.Line.ShouldBe(2);
        e.Column.ShouldBe(8);
    }
}
