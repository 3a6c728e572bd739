using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Model.Tests;

/// <summary>
/// The served kinds against the upstream CRD files themselves (not the generated kinds.json): same names, scope,
/// status subresource, printer columns and schema, so a stale or hand-edited kinds.json fails here.
/// </summary>
public class CrdConformanceTests
{
    public static TheoryData<string> CrdFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(CrdDir(), "*.yaml").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void Every_crd_kind_is_served() =>
        CrdFiles().Select(f => Crd(f.Data)["spec"]!["names"]!["kind"]!.GetValue<string>())
            .ShouldBeSubsetOf(KindRegistry.Default.All.Select(k => k.Kind));

    [Fact]
    public void The_crd_directory_holds_the_23_kinds_of_v0_8() => CrdFiles().Count.ShouldBe(23);

    [Theory]
    [MemberData(nameof(CrdFiles))]
    public void Kind_matches_its_crd(string file)
    {
        var crd = Crd(file);
        var spec = crd["spec"]!.AsObject();
        var names = spec["names"]!.AsObject();
        var version = spec["versions"]!.AsArray().Single(v => (bool?)v!["storage"] == true)!.AsObject();
        var kind = KindRegistry.Default.FindByKind((string)names["kind"]!).ShouldNotBeNull(file);

        kind.Group.ShouldBe((string)spec["group"]!);
        kind.Version.ShouldBe((string)version["name"]!);
        kind.ApiVersion.ShouldBe("openchoreo.dev/v1alpha1");
        kind.Plural.ShouldBe((string)names["plural"]!);
        kind.Singular.ShouldBe((string?)names["singular"] ?? kind.Kind.ToLowerInvariant());
        kind.ListKind.ShouldBe((string?)names["listKind"] ?? kind.Kind + "List");
        kind.ShortNames.ShouldBe((names["shortNames"] as JsonArray)?.Select(s => (string)s!).ToArray() ?? []);
        kind.Namespaced.ShouldBe((string)spec["scope"]! == "Namespaced", $"{kind.Kind} scope");
        kind.StatusSubresource.ShouldBe(version["subresources"]?["status"] is not null, $"{kind.Kind} status subresource");

        // Our printer columns start with upstream's, in order (extensions may append).
        var upstreamColumns = (version["additionalPrinterColumns"] as JsonArray ?? []).Select(c => ((string)c!["name"]!, (string)c["jsonPath"]!)).ToArray();
        kind.PrinterColumns.Take(upstreamColumns.Length).Select(c => (c.Name, c.JsonPath)).ShouldBe(upstreamColumns);

        // Every upstream schema node is in ours unchanged: field names, types, required, enums, patterns, bounds,
        // defaults and x-kubernetes-validations (documented extensions may only add).
        var problems = new List<string>();
        Contains(version["schema"]!["openAPIV3Schema"], kind.Schema, "", problems);
        problems.ShouldBeEmpty($"{kind.Kind} schema differs from {file}");
    }

    [Fact]
    public void Organization_is_the_only_cluster_scoped_upstream_kind()
    {
        var clusterScoped = CrdFiles().Select(f => Crd(f.Data)["spec"]!).Where(s => (string)s["scope"]! == "Cluster")
            .Select(s => (string)s["names"]!["kind"]!).ToArray();
        clusterScoped.ShouldBe(["Organization"]);
        KindRegistry.Default.FindByKind("Organization")!.Namespaced.ShouldBeFalse();
    }

    private static void Contains(JsonNode? upstream, JsonNode? ours, string path, List<string> problems)
    {
        switch (upstream)
        {
            case JsonObject uo:
                if (ours is not JsonObject oo)
                {
                    problems.Add($"{path}: expected an object");
                    return;
                }
                foreach (var (k, v) in uo)
                {
                    if (!oo.ContainsKey(k)) problems.Add($"{path}.{k}: missing");
                    else Contains(v, oo[k], $"{path}.{k}", problems);
                }
                return;
            case JsonArray ua:
                if (ours is not JsonArray oa)
                {
                    problems.Add($"{path}: expected an array");
                    return;
                }
                // Lists (required, enum, rules) keep every upstream entry; an extension may add entries.
                foreach (var item in ua.Where(i => !oa.Any(o => JsonNode.DeepEquals(i, o)))) problems.Add($"{path}: lost {item?.ToJsonString()}");
                return;
            default:
                if (!JsonNode.DeepEquals(upstream, ours)) problems.Add($"{path}: {upstream?.ToJsonString()} became {ours?.ToJsonString()}");
                return;
        }
    }

    private static JsonObject Crd(string file) => YamlCodec.ReadOne(File.ReadAllText(Path.Combine(CrdDir(), file)))!.AsObject();

    /// <summary>shared/conformance/openchoreo-v0.8/crds beside the repository (a worktree may sit deeper than the checkout).</summary>
    private static string CrdDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json"))) dir = dir.Parent;
        for (var up = dir?.Parent; up is not null; up = up.Parent)
        {
            var candidate = Path.Combine(up.FullName, "shared", "conformance", "openchoreo-v0.8", "crds");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"shared/conformance/openchoreo-v0.8/crds was not found beside the repository ({dir?.FullName})");
    }
}
