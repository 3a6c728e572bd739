using System.Text.Json.Nodes;
using OpenChoreo.Client;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

public sealed class ApiBehaviourTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private static ResourceKind K(string kind) => KindRegistry.Default.FindByKind(kind)!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task First_start_creates_the_default_platform_content()
    {
        using var client = cp.Client();
        (await client.GetAsync(K("Organization"), "", "default", Ct)).Name.ShouldBe("default");
        var envs = (await client.ListAsync(K("Environment"), "default", ct: Ct)).Items.Select(e => e.Name).ToArray();
        envs.ShouldContain("development");
        envs.ShouldContain("staging");
        envs.ShouldContain("production");
        var types = (await client.ListAsync(K("ComponentType"), "default", ct: Ct)).Items.Select(e => e.Name).ToArray();
        // Other tests of this class may add sample types to the same organization: check the defaults are there.
        foreach (var t in new[] { "scheduled-task", "service", "web-application" }) types.ShouldContain(t);
        var workflows = (await client.ListAsync(K("ComponentWorkflow"), "default", ct: Ct)).Items.Select(w => w.Name).ToArray();
        foreach (var w in new[] { "docker", "google-cloud-buildpacks", "ballerina-buildpack", "react" }) workflows.ShouldContain(w);
    }

    [Fact]
    public async Task Applying_an_unchanged_document_twice_changes_nothing()
    {
        using var client = cp.Client();
        var doc = YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata:
              name: twice
              namespace: default
              labels: {team: a}
            spec: {deploymentPipelineRef: default}
            """)!.AsObject();
        var (first, outcome1) = await client.ApplyAsync(K("Project"), new ResourceObject((JsonObject)doc.DeepClone()), Ct);
        var revision = await cp.Store.GetRevisionAsync(Ct);
        var (second, outcome2) = await client.ApplyAsync(K("Project"), new ResourceObject((JsonObject)doc.DeepClone()), Ct);
        outcome1.ShouldBe("created");
        outcome2.ShouldBe("unchanged");
        second.ResourceVersion.ShouldBe(first.ResourceVersion);
        (await StoreChanges.SinceAsync(cp.Store, revision, Ct)).ShouldBeEmpty();

        doc["spec"]!["deploymentPipelineRef"] = "other";
        var (third, outcome3) = await client.ApplyAsync(K("Project"), new ResourceObject(doc), Ct);
        outcome3.ShouldBe("configured");
        third.Generation.ShouldBe(2);
    }

    [Fact]
    public async Task Every_upstream_sample_and_default_applies_and_reads_back_the_same_spec()
    {
        using var client = cp.Client();
        var applied = 0;
        foreach (var file in Conformance.SampleAndDefaultFiles())
        {
            foreach (var node in YamlCodec.ReadAll(await File.ReadAllTextAsync(file, Ct)))
            {
                var obj = new ResourceObject(node.AsObject());
                var kind = KindRegistry.Default.Find(obj.ApiVersion, obj.Kind).ShouldNotBeNull($"{file}: {obj.Kind}");
                if (kind.Namespaced && string.IsNullOrEmpty(obj.Namespace)) obj.Namespace = "default";
                var (stored, _) = await client.ApplyAsync(kind, obj.DeepClone(), Ct);
                var read = await client.GetAsync(kind, obj.Namespace, obj.Name, Ct);
                read.ResourceVersion.ShouldBe(stored.ResourceVersion);
                ShouldContainAll(obj.Spec, read.Spec, $"{file}: {obj}.spec");
                applied++;
            }
        }
        applied.ShouldBeGreaterThan(60);
    }

    /// <summary>Everything the document sets reads back the same (the server may add schema defaults).</summary>
    private static void ShouldContainAll(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case null:
                return;
            case JsonObject eo:
                actual.ShouldBeOfType<JsonObject>(path);
                foreach (var (k, v) in eo) ShouldContainAll(v, actual![k], $"{path}.{k}");
                return;
            case JsonArray ea:
                var aa = actual.ShouldBeOfType<JsonArray>(path);
                aa.Count.ShouldBe(ea.Count, path);
                for (var i = 0; i < ea.Count; i++) ShouldContainAll(ea[i], aa[i], $"{path}[{i}]");
                return;
            default:
                JsonNode.DeepEquals(expected, actual).ShouldBeTrue($"{path}: expected {expected.ToJsonString()} but read {actual?.ToJsonString()}");
                return;
        }
    }

    [Fact]
    public async Task List_filters_by_label_selector()
    {
        using var client = cp.Client();
        foreach (var (name, tier) in new[] { ("sel-a", "web"), ("sel-b", "db"), ("sel-c", "web") })
        {
            var o = new ResourceObject(YamlCodec.ReadOne($$"""
                apiVersion: openchoreo.dev/v1alpha1
                kind: Project
                metadata:
                  name: {{name}}
                  namespace: default
                  labels: {tier: {{tier}}, suite: selectors}
                spec: {deploymentPipelineRef: default}
                """)!.AsObject());
            await client.ApplyAsync(K("Project"), o, Ct);
        }
        (await client.ListAsync(K("Project"), "default", "suite=selectors,tier=web", Ct)).Items.Select(i => i.Name).ShouldBe(["sel-a", "sel-c"], ignoreOrder: true);
        (await client.ListAsync(K("Project"), null, "suite=selectors,tier notin (web)", Ct)).Items.Select(i => i.Name).ShouldBe(["sel-b"]);
        await Should.ThrowAsync<ApiException>(() => client.ListAsync(K("Project"), "default", "tier in (web", Ct));
    }

    [Fact]
    public async Task Watch_streams_changes_and_resumes_from_a_resource_version()
    {
        using var client = cp.Client();
        var (_, rv) = await client.ListAsync(K("Trait"), "default", ct: Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync(K("Trait"), "default", "suite=watch", rv, cts.Token))
            {
                seen.Add($"{e.Type} {e.Object.Name}");
                if (seen.Count == 3) break;
            }
        }, Ct);
        var trait = new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: watched, namespace: default, labels: {suite: watch}}
            spec: {}
            """)!.AsObject());
        var (created, _) = await client.ApplyAsync(K("Trait"), trait, Ct);
        created.SetAnnotation("note", "changed");
        await client.UpdateAsync(K("Trait"), created, Ct);
        await client.DeleteAsync(K("Trait"), "default", "watched", Ct);
        await watching;
        seen.ShouldBe(["ADDED watched", "MODIFIED watched", "DELETED watched"]);
    }

    [Fact]
    public async Task Watch_from_a_compacted_revision_ends_with_410()
    {
        using var client = cp.Client();
        var (_, rv) = await client.ListAsync(K("Project"), "default", ct: Ct);
        var o = new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: compacted, namespace: default}
            spec: {deploymentPipelineRef: default}
            """)!.AsObject());
        await client.ApplyAsync(K("Project"), o, Ct);
        await cp.Store.CompactAsync(await cp.Store.GetRevisionAsync(Ct), Ct);
        var error = await Should.ThrowAsync<ApiException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(K("Project"), "default", null, rv, Ct)) { }
        });
        error.Code.ShouldBe(410);
    }

    [Fact]
    public async Task Deleting_an_organization_removes_everything_in_its_namespace()
    {
        using var client = cp.Client();
        await client.ApplyAsync(K("Organization"), new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Organization
            metadata: {name: doomed}
            """)!.AsObject()), Ct);
        await client.ApplyAsync(K("Project"), new ResourceObject(YamlCodec.ReadOne("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: inside, namespace: doomed}
            spec: {deploymentPipelineRef: default}
            """)!.AsObject()), Ct);
        (await client.DeleteAsync(K("Organization"), "", "doomed", Ct)).ShouldBeTrue();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await client.TryGetAsync(K("Project"), "doomed", "inside", Ct) is not null)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the garbage collector did not remove the organization's contents");
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task Discovery_lists_every_kind_with_short_names()
    {
        using var client = cp.Client();
        var list = await client.GetJsonAsync("/apis/openchoreo.dev/v1alpha1", Ct);
        var resources = list["resources"]!.AsArray();
        resources.Count(r => !((string)r!["name"]!).Contains('/')).ShouldBe(KindRegistry.Default.All.Count); // 23 upstream kinds + our documented additions (docs/extensions.md)
        var comp = resources.First(r => (string?)r!["name"] == "components")!;
        comp["shortNames"]!.AsArray().Select(s => (string)s!).ShouldBe(["comp", "comps"]);
    }
}
