using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Offline;

namespace OpenChoreo.Rendering.Tests;

/// <summary>
/// Every upstream sample renders to its checked-in golden YAML (environment "development", the default
/// ComponentTypes, offline placeholder UIDs). Regenerate with <c>UPDATE_GOLDEN=1</c> and review the diff.
/// </summary>
public class GoldenSampleTests
{
    public static readonly OfflineRenderOptions Options = new() { PublicVirtualHost = "apps.openchoreo.localhost" };

    public static TheoryData<string> Samples() => [.. SamplePaths()];

    private static IEnumerable<string> SamplePaths()
    {
        var data = new List<string>();
        var root = Path.Combine(TestPaths.Conformance, "samples");
        foreach (var group in new[] { "component-types", "from-image", "gcp-microservices-demo" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, group), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (YamlCodec.ReadAll(File.ReadAllText(file)).Any(d => (string?)d["kind"] == "Component"))
                    data.Add(Path.GetRelativePath(TestPaths.Conformance, file).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_renders_as_its_golden_file(string sample)
    {
        var results = OfflineRender.Render(TestPaths.ReadManifests(sample), Options);
        var text = new StringBuilder();
        foreach (var r in results)
        {
            r.Result.Errors.ShouldBeEmpty($"{sample}: {r.ComponentName}");
            text.Append("# component: ").Append(r.ComponentName).Append('\n');
            text.Append(YamlCodec.WriteAll(r.Result.Resources.Select(x => (JsonNode?)x.Object)));
        }
        var golden = Path.Combine(TestPaths.Golden, GoldenName(sample));
        if (TestPaths.UpdateGolden)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            File.WriteAllText(golden, text.ToString());
        }
        File.Exists(golden).ShouldBeTrue($"golden file {golden} is missing: run the tests with UPDATE_GOLDEN=1 and review it");
        text.ToString().ShouldBe(File.ReadAllText(golden));
    }

    [Fact]
    public void Every_golden_file_belongs_to_a_sample()
    {
        var expected = SamplePaths().Select(GoldenName).ToHashSet();
        var actual = Directory.EnumerateFiles(TestPaths.Golden, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TestPaths.Golden, f).Replace('\\', '/'));
        actual.Where(a => !expected.Contains(a)).ShouldBeEmpty();
    }

    /// <summary><c>samples/from-image/go-greeter-service/greeter-service.yaml</c> → <c>from-image/greeter-service.yaml</c>.</summary>
    private static string GoldenName(string sample)
    {
        var parts = sample.Split('/');
        return $"{parts[1]}/{parts[^1]}";
    }
}
