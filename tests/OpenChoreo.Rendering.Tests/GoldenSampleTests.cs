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

    /// <summary>The sample groups the issue names; each must exist and hold at least one Component.</summary>
    private static readonly string[] Groups = ["component-types", "from-image", "gcp-microservices-demo"];

    /// <summary>
    /// Sample files that hold no Component, acknowledged one by one: any other YAML file without a Component fails
    /// <see cref="Every_sample_file_is_rendered_or_acknowledged"/>, so no sample is skipped silently.
    /// </summary>
    private static readonly string[] FilesWithoutComponent = ["samples/gcp-microservices-demo/gcp-microservice-demo-project.yaml"];

    private static IEnumerable<string> AllSampleFiles() =>
        Groups.SelectMany(group => Directory.EnumerateFiles(Path.Combine(TestPaths.Conformance, "samples", group), "*.yaml", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(TestPaths.Conformance, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> SamplePaths() =>
        AllSampleFiles().Where(rel => YamlCodec.ReadAll(File.ReadAllText(Path.Combine(TestPaths.Conformance, rel))).Any(d => (string?)d?["kind"] == "Component"));

    [Fact]
    public void Every_sample_file_is_rendered_or_acknowledged()
    {
        var rendered = SamplePaths().ToHashSet(StringComparer.Ordinal);
        AllSampleFiles().Where(f => !rendered.Contains(f) && !FilesWithoutComponent.Contains(f)).ShouldBeEmpty("sample files with no Component");
        FilesWithoutComponent.Where(f => !AllSampleFiles().Contains(f) || rendered.Contains(f)).ShouldBeEmpty("stale acknowledgements");
        foreach (var group in Groups) rendered.ShouldContain(f => f.StartsWith($"samples/{group}/", StringComparison.Ordinal), group);
        // Every directory of a sample (README plus manifests) yields at least one golden file.
        var sampleDirs = Groups.SelectMany(g => Directory.EnumerateFiles(Path.Combine(TestPaths.Conformance, "samples", g), "README.md", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(TestPaths.Conformance, Path.GetDirectoryName(f)!).Replace('\\', '/'));
        foreach (var dir in sampleDirs) rendered.ShouldContain(f => f.StartsWith(dir + "/", StringComparison.Ordinal), dir);
        // Names the golden files by group and file name: two samples must not share one.
        rendered.Select(GoldenName).Distinct().Count().ShouldBe(rendered.Count);
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
