using System.Text.Json.Nodes;
using OpenChoreo.Cli;
using OpenChoreo.Model;
using OpenChoreo.Validation;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// The compatibility promise of issue 2, through the CLI: every YAML document under upstream's samples/ and
/// default-resources/ applies cleanly with <c>occ apply -f FILE</c>, and <c>occ get KIND NAME -o yaml</c> returns the
/// same spec (exactly, after the CRD schema defaults the server fills in).
/// </summary>
public sealed class OccCompatibilityTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every manifest file; the enumeration throws when the conformance directory is missing.</summary>
    public static TheoryData<string> Files()
    {
        var root = Conformance.OpenChoreoDir;
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "samples", "default-resources" })
        {
            foreach (var f in Directory.EnumerateFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories)
                         .Where(f => Path.GetExtension(f) is ".yaml" or ".yml").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(root, f));
            }
        }
        return data;
    }

    [Fact]
    public void Every_file_of_the_conformance_material_is_covered()
    {
        var root = Conformance.OpenChoreoDir;
        var all = new[] { "samples", "default-resources" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(root, f)).ToArray();
        var covered = Files().Select(r => r.Data).ToHashSet();
        // Everything that is not a manifest is documentation.
        all.Where(f => !covered.Contains(f)).ShouldAllBe(f => Path.GetExtension(f) == ".md");
        covered.Count.ShouldBe(39, "upstream v0.8 has 31 sample manifests and 8 default-resource files");
    }

    private async Task<(int Code, string Out, string Err)> Occ(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--config", cp.CliConfigPath, .. args], stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task File_applies_with_occ_and_reads_back_the_same_spec(string relativePath)
    {
        var path = Path.Combine(Conformance.OpenChoreoDir, relativePath);
        var docs = YamlCodec.ReadAll(await File.ReadAllTextAsync(path, Ct)).Select(n => new ResourceObject(n.AsObject())).ToArray();
        docs.ShouldNotBeEmpty();

        var (code, output, err) = await Occ("apply", "-f", path);
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(docs.Length, output);
        lines.ShouldAllBe(l => l.EndsWith(" created") || l.EndsWith(" configured") || l.EndsWith(" unchanged"));

        foreach (var doc in docs)
        {
            var kind = KindRegistry.Default.Find(doc.ApiVersion, doc.Kind).ShouldNotBeNull($"{relativePath}: {doc}");
            string[] args = kind.Namespaced
                ? ["get", kind.Plural, doc.Name, "-n", doc.Namespace is { Length: > 0 } ns ? ns : "default", "-o", "yaml"]
                : ["get", kind.Plural, doc.Name, "-o", "yaml"];
            var (getCode, yaml, getErr) = await Occ(args);
            getCode.ShouldBe(0, getErr);
            var read = new ResourceObject(YamlCodec.ReadOne(yaml)!.AsObject());
            var expected = doc.DeepClone();
            ObjectValidator.Shared.Default(expected);
            read.Kind.ShouldBe(doc.Kind);
            read.ApiVersion.ShouldBe(doc.ApiVersion);
            JsonNode.DeepEquals(read.Spec, expected.Spec).ShouldBeTrue(
                $"{relativePath}: {doc}.spec\n  applied: {expected.Spec?.ToJsonString()}\n  read:    {read.Spec?.ToJsonString()}");
            foreach (var (k, v) in doc.Labels) read.Labels.GetValueOrDefault(k).ShouldBe(v, $"{relativePath}: {doc} label {k}");
            foreach (var (k, v) in doc.Annotations) read.Annotations.GetValueOrDefault(k).ShouldBe(v, $"{relativePath}: {doc} annotation {k}");
        }

        // Applying the same file again changes nothing.
        var revision = await cp.Store.GetRevisionAsync(Ct);
        var (again, output2, _) = await Occ("apply", "-f", path);
        again.ShouldBe(0);
        output2.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldAllBe(l => l.EndsWith(" unchanged"));
        (await StoreChanges.SinceAsync(cp.Store, revision, Ct)).ShouldBeEmpty();
    }
}
