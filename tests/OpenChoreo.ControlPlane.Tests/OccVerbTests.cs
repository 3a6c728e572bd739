using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Cli;
using OpenChoreo.Client;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// The occ verbs of issue 2 beyond the basics in <see cref="CliTests"/>: multi-document and directory input, every
/// output format, selectors, namespaces, watch, delete from a file, and contexts.
/// </summary>
public sealed class OccVerbTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("occ-verbs-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(int Code, string Out, string Err)> OccIn(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.InvokeAsync(["--config", cp.CliConfigPath, .. args], stdout, stderr, new StringReader(stdin), Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private Task<(int Code, string Out, string Err)> Occ(params string[] args) => OccIn("", args);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Cells(string line) => line.Split("   ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Trait(string name, string labels = "{}", string ns = "") => $"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Trait
        metadata:
          name: {name}
          {(ns.Length > 0 ? "namespace: " + ns : "")}
          labels: {labels}
        spec: {"{}"}
        """;

    [Fact]
    public async Task Apply_reads_multi_document_yaml_and_lists_from_stdin()
    {
        var stdin = Trait("multi-a", "{suite: multi}") + "\n---\n" + Trait("multi-b", "{suite: multi}") + "\n---\n" + """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: openchoreo.dev/v1alpha1, kind: Trait, metadata: {name: multi-c, labels: {suite: multi}}, spec: {}}
            """;
        var (code, output, err) = await OccIn(stdin, "apply", "-f", "-");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        Lines(output).ShouldBe(["trait.openchoreo.dev/multi-a created", "trait.openchoreo.dev/multi-b created", "trait.openchoreo.dev/multi-c created"]);
        (await Occ("get", "traits", "-l", "suite=multi", "-o", "name")).Out.ShouldBe(
            "trait.openchoreo.dev/multi-a\ntrait.openchoreo.dev/multi-b\ntrait.openchoreo.dev/multi-c\n");
    }

    [Fact]
    public async Task Apply_of_a_directory_reads_subdirectories_only_with_R()
    {
        var top = Path.Combine(_dir, "tree");
        Directory.CreateDirectory(Path.Combine(top, "nested"));
        await File.WriteAllTextAsync(Path.Combine(top, "top.yaml"), Trait("dir-top", "{suite: dir}"), Ct);
        await File.WriteAllTextAsync(Path.Combine(top, "nested", "deep.yml"), Trait("dir-deep", "{suite: dir}"), Ct);
        await File.WriteAllTextAsync(Path.Combine(top, "notes.txt"), "not a manifest", Ct);

        var (code, output, _) = await Occ("apply", "-f", top);
        code.ShouldBe(0);
        Lines(output).ShouldBe(["trait.openchoreo.dev/dir-top created"]);
        (code, output, _) = await Occ("apply", "-f", top, "-R");
        code.ShouldBe(0);
        Lines(output).ShouldBe(["trait.openchoreo.dev/dir-deep created", "trait.openchoreo.dev/dir-top unchanged"]);
    }

    [Fact]
    public async Task Get_prints_tables_yaml_json_wide_and_names_and_filters_by_label()
    {
        foreach (var (name, tier) in new[] { ("out-web", "web"), ("out-db", "db") })
        {
            (await OccIn($$"""
                apiVersion: openchoreo.dev/v1alpha1
                kind: Component
                metadata:
                  name: {{name}}
                  labels:
                    suite: out
                    tier: {{tier}}
                spec:
                  owner: {projectName: default}
                  componentType: deployment/service
                  autoDeploy: true
                """, "apply", "-f", "-")).Code.ShouldBe(0);
        }

        var table = Lines((await Occ("get", "components", "-l", "suite=out")).Out);
        Cells(table[0]).ShouldBe(["NAME", "PROJECT", "TYPE", "READY", "AGE"]);
        table.Skip(1).Select(l => Cells(l)[..3]).ShouldBe([["out-db", "default", "deployment/service"], ["out-web", "default", "deployment/service"]]);

        var wide = Lines((await Occ("get", "comp", "-l", "suite=out,tier=web", "-o", "wide")).Out);
        Cells(wide[0]).ShouldBe(["NAME", "PROJECT", "TYPE", "AUTODEPLOY", "LATEST RELEASE", "READY", "AGE"]);
        wide.Length.ShouldBe(2);
        Cells(wide[1])[..4].ShouldBe(["out-web", "default", "deployment/service", "true"]);

        var json = JsonNode.Parse((await Occ("get", "components", "-l", "suite=out", "-o", "json")).Out)!;
        ((string?)json["kind"]).ShouldBe("List");
        json["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ShouldBe(["out-db", "out-web"]);
        var one = JsonNode.Parse((await Occ("get", "component", "out-web", "-o", "json")).Out)!;
        ((string?)one["spec"]!["componentType"]).ShouldBe("deployment/service");

        var yamlList = YamlCodec.ReadOne((await Occ("get", "Components", "-l", "tier in (db)", "-o", "yaml")).Out)!;
        yamlList["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ShouldBe(["out-db"]);

        var (badCode, _, badErr) = await Occ("get", "components", "-o", "xml");
        badCode.ShouldNotBe(0);
        badErr.ShouldContain("xml");
    }

    [Fact]
    public async Task Get_honours_namespace_and_all_namespaces()
    {
        (await OccIn("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Organization
            metadata: {name: verbs-org}
            ---
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: ns-trait, namespace: verbs-org, labels: {suite: ns}}
            spec: {}
            """, "apply", "-f", "-")).Code.ShouldBe(0);
        (await OccIn(Trait("ns-trait", "{suite: ns}"), "apply", "-f", "-")).Code.ShouldBe(0);

        var (code, _, err) = await Occ("get", "trait", "ns-trait", "-n", "nowhere");
        code.ShouldBe(1);
        err.Trim().ShouldBe("Error from server (NotFound): traits.openchoreo.dev \"ns-trait\" not found in namespace \"nowhere\"");

        Lines((await Occ("get", "traits", "-n", "verbs-org")).Out).Skip(1).Select(l => Cells(l)[0]).ShouldBe(["ns-trait"]);
        var all = Lines((await Occ("get", "traits", "-A", "-l", "suite=ns")).Out);
        Cells(all[0]).ShouldBe(["NAMESPACE", "NAME", "AGE"]);
        all.Skip(1).Select(l => Cells(l)[0] + "/" + Cells(l)[1]).ShouldBe(["default/ns-trait", "verbs-org/ns-trait"], ignoreOrder: true);

        var (empty, _, emptyErr) = await Occ("get", "traits", "-n", "verbs-org", "-l", "suite=none");
        empty.ShouldBe(0);
        emptyErr.Trim().ShouldBe("No resources found in verbs-org namespace.");
        (await Occ("describe", "trait", "ns-trait", "-n", "verbs-org")).Out.ShouldContain("Namespace:          verbs-org");
    }

    [Fact]
    public async Task Get_with_w_prints_the_list_then_each_change_until_cancelled()
    {
        var stdout = new LockedWriter();
        var stderr = new LockedWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watching = CliApp.InvokeAsync(["--config", cp.CliConfigPath, "get", "traits", "-l", "suite=watch-cli", "-w"], stdout, stderr, new StringReader(""), stop.Token);
        // The (empty) list is printed first: its header says the watch's starting revision is fixed.
        await Eventually(() => stdout.Text.Contains("NAME"), "the header");
        using var client = cp.Client();
        var kind = KindRegistry.Default.FindByKind("Trait")!;
        await client.ApplyAsync(kind, new ResourceObject(YamlCodec.ReadOne(Trait("watched-cli", "{suite: watch-cli}", "default"))!.AsObject()), Ct);
        await Eventually(() => stdout.Text.Contains("watched-cli"), "the added object");
        await client.DeleteAsync(kind, "default", "watched-cli", Ct);
        await Eventually(() => stdout.Text.Contains("(deleted)"), "the deletion");
        await stop.CancelAsync();
        await watching.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var lines = Lines(stdout.Text);
        lines.Length.ShouldBe(3, stdout.Text);
        Cells(lines[0]).ShouldBe(["NAME", "AGE"]);
        Cells(lines[1])[0].ShouldBe("watched-cli");
        lines[2].ShouldStartWith("watched-cli");
        lines[2].ShouldEndWith("(deleted)");
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("occ get -w did not print " + what);
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task Delete_from_a_file_removes_every_object_it_names()
    {
        var file = Path.Combine(_dir, "delete.yaml");
        await File.WriteAllTextAsync(file, Trait("del-a") + "\n---\n" + Trait("del-b"), Ct);
        (await Occ("apply", "-f", file)).Code.ShouldBe(0);
        var (code, output, err) = await Occ("delete", "-f", file, "--wait");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        Lines(output).ShouldBe(["trait.openchoreo.dev \"del-a\" deleted", "trait.openchoreo.dev \"del-b\" deleted", "all deleted objects are gone"]);
        using var client = cp.Client();
        (await client.TryGetAsync(KindRegistry.Default.FindByKind("Trait")!, "default", "del-a", Ct)).ShouldBeNull();

        (code, _, err) = await Occ("delete", "-f", file);
        code.ShouldBe(1);
        Lines(err).ShouldBe(["Error from server (NotFound): traits.openchoreo.dev \"del-a\" not found", "Error from server (NotFound): traits.openchoreo.dev \"del-b\" not found"]);
        (await Occ("delete", "-f", file, "--ignore-not-found")).Code.ShouldBe(0);
    }

    [Fact]
    public async Task Config_switches_between_contexts()
    {
        var config = Path.Combine(_dir, "config");
        File.Copy(cp.CliConfigPath, config);
        async Task<(int Code, string Out, string Err)> With(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var code = await CliApp.InvokeAsync(["--config", config, .. args], stdout, stderr, new StringReader(""), Ct);
            return (code, stdout.ToString(), stderr.ToString());
        }

        var original = (await With("config", "current-context")).Out.Trim();
        (await With("config", "set-context", "elsewhere", "--server", "https://127.0.0.1:1", "--token", "t", "-n", "acme")).Out.Trim().ShouldBe("Context \"elsewhere\" created.");
        (await With("config", "current-context")).Out.Trim().ShouldBe(original, "a new context does not become current by itself");
        (await With("config", "use-context", "elsewhere")).Out.Trim().ShouldBe("Switched to context \"elsewhere\".");
        var contexts = Lines((await With("config", "get-contexts")).Out);
        contexts.Single(l => l.StartsWith('*')).ShouldContain("elsewhere");
        var (code, _, err) = await With("get", "traits");
        code.ShouldBe(1);
        err.ShouldStartWith("error: ");
        (await With("get", "traits", "--context", original)).Code.ShouldBe(0);
        (await With("config", "use-context", original)).Code.ShouldBe(0);
        (await With("version")).Out.ShouldContain("Server Version:");
        (await With("config", "use-context", "missing")).Err.Trim().ShouldBe("error: context \"missing\" does not exist");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A writer the command writes to on one thread while the test reads it on another.</summary>
    private sealed class LockedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_lock) return _text.ToString();
            }
        }

        public override void Write(char value)
        {
            lock (_lock) _text.Append(value);
        }

        public override void Write(string? value)
        {
            lock (_lock) _text.Append(value);
        }
    }
}
