using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

/// <summary>Every upstream sample and default resource must be accepted as-is (the compatibility promise).</summary>
public class ConformanceSampleTests
{
    public static TheoryData<string> Files()
    {
        var root = TestFiles.Conformance();
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "samples", "default-resources" })
        {
            foreach (var f in Directory.EnumerateFiles(Path.Combine(root, dir), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(root, f));
            }
        }
        return data;
    }

    [Fact]
    public void Conformance_material_is_present_and_not_empty() =>
        Files().Count.ShouldBeGreaterThan(30, $"expected the upstream samples under {TestFiles.Conformance()}");

    [Theory]
    [MemberData(nameof(Files))]
    public void Sample_validates_after_defaulting(string relativePath)
    {
        var docs = YamlCodec.ReadAll(File.ReadAllText(Path.Combine(TestFiles.Conformance(), relativePath)));
        docs.ShouldNotBeEmpty();
        var problems = new List<string>();
        foreach (var doc in docs)
        {
            var obj = new ResourceObject((JsonObject)doc);
            if (obj.Kind is not null && KindRegistry.Default.FindByKind(obj.Kind) is { Namespaced: true } && obj.Namespace.Length == 0)
            {
                obj.Namespace = "default";
            }
            var check = ObjectValidator.Shared.CheckKind(obj);
            if (!check.IsKnown)
            {
                problems.Add($"{obj}: not an openchoreo.dev kind: {check.Cause}");
                continue;
            }
            ObjectValidator.Shared.Default(obj);
            problems.AddRange(ObjectValidator.Shared.ValidateCreate(obj).Select(c => $"{obj}: {c}"));
            // An unchanged update must pass too (transition rules with oldSelf == self).
            problems.AddRange(ObjectValidator.Shared.ValidateUpdate(obj, obj.DeepClone()).Select(c => $"{obj} (update): {c}"));
        }
        problems.ShouldBeEmpty();
    }
}
