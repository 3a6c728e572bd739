using OpenChoreo.Cli;

namespace OpenChoreo.Planning.Tests;

/// <summary>
/// <c>occ plan</c> against the seed's topologies (samples/topologies), compared with reviewed reports in golden/.
/// To accept a deliberate change: OPENCHOREO_UPDATE_GOLDEN=1 rewrites the files in the source tree; review the diff.
/// </summary>
public sealed class GoldenPlanTests
{
    [Theory]
    [InlineData("single-cluster", "text")]
    [InlineData("multi-cluster", "text")]
    [InlineData("custom-regions", "text")]
    [InlineData("custom-regions", "yaml")]
    public async Task Report_matches_the_reviewed_golden_output(string topology, string format)
    {
        var (code, stdout, stderr) = await OccAsync("plan", "-f", Path.Combine(AppContext.BaseDirectory, "topologies", topology + ".yaml"), "-o", format);

        stderr.ShouldBeEmpty();
        code.ShouldBe(0);
        Golden($"{topology}.{(format == "text" ? "txt" : format)}", stdout);
    }

    [Fact]
    public async Task Flags_give_the_single_cluster_plan_of_the_equivalent_file()
    {
        var (code, stdout, _) = await OccAsync("plan", "--domain", "example.com", "--with", "build,observability", "--cloud", "gke",
            "--kubernetes-version", "1.33", "--email", "platform@example.com", "--dns-provider", "cloudflare");
        code.ShouldBe(0);
        var fromFile = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "golden", "single-cluster.txt"), TestContext.Current.CancellationToken);
        stdout.ShouldBe(fromFile);
    }

    [Fact]
    public async Task Resources_only_prints_applyable_manifests()
    {
        var (code, stdout, _) = await OccAsync("plan", "-f", Path.Combine(AppContext.BaseDirectory, "topologies", "multi-cluster.yaml"), "--resources-only");
        code.ShouldBe(0);
        var docs = OpenChoreo.Model.YamlCodec.ReadAll(stdout);
        docs.Select(d => $"{d!["kind"]}/{d["metadata"]!["namespace"]}/{d["metadata"]!["name"]}").ShouldBe([
            "Issuer/openchoreo-control-plane/acme-dns01-rfc2136",
            "Issuer/openchoreo-build-plane/acme-dns01-rfc2136",
            "Certificate/openchoreo-control-plane/control-plane-tls",
            "Certificate/openchoreo-build-plane/registry-tls",
        ]); // the data plane brings its own certificate: no issuer, no Certificate
    }

    internal static async Task<(int Code, string Out, string Err)> OccAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void Golden(string name, string actual)
    {
        if (Environment.GetEnvironmentVariable("OPENCHOREO_UPDATE_GOLDEN") == "1")
        {
            var dir = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(dir, "global.json"))) dir = Path.GetDirectoryName(dir)!;
            File.WriteAllText(Path.Combine(dir, "tests", "OpenChoreo.Planning.Tests", "golden", name), actual);
            return;
        }
        var path = Path.Combine(AppContext.BaseDirectory, "golden", name);
        File.Exists(path).ShouldBeTrue($"golden file {name} is missing; run with OPENCHOREO_UPDATE_GOLDEN=1 and review it");
        actual.ShouldBe(File.ReadAllText(path));
    }
}
