using System.Text.Json.Nodes;
using OpenChoreo.Client;
using OpenChoreo.Model;
using OpenChoreo.Validation;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// The first start creates upstream's default platform content and the admin access; later starts of the same data
/// directory write nothing and keep the token. One test, because it restarts its own control plane.
/// </summary>
public sealed class BootstrapTests(BootstrapTests.Instance cp) : IClassFixture<BootstrapTests.Instance>
{
    /// <summary>A quiet control plane of its own: the test restarts it.</summary>
    public sealed class Instance : ControlPlaneFixture
    {
        public Instance() => Settings["controllers:enabled"] = "false";
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<string[]> ChangesSince(long revision) => StoreChanges.SinceAsync(cp.Store, revision, Ct);

    [Fact]
    public async Task First_start_creates_every_default_resource_and_later_starts_change_nothing()
    {
        var defaults = Directory.EnumerateFiles(Path.Combine(Conformance.OpenChoreoDir, "default-resources"), "*.yaml")
            .Order(StringComparer.Ordinal)
            .SelectMany(f => YamlCodec.ReadAll(File.ReadAllText(f)).Select(n => (File: Path.GetFileName(f), Object: new ResourceObject(n.AsObject()))))
            .ToArray();
        defaults.Length.ShouldBe(13, "upstream's default-resources: organization, project, pipeline, 3 environments, 3 component types, 4 workflows");

        async Task<Dictionary<string, string>> CheckAllPresent()
        {
            using var client = cp.Client();
            var versions = new Dictionary<string, string>();
            foreach (var (file, doc) in defaults)
            {
                var kind = KindRegistry.Default.Find(doc.ApiVersion, doc.Kind).ShouldNotBeNull($"{file}: {doc}");
                var ns = kind.Namespaced ? (doc.Namespace is { Length: > 0 } n ? n : "default") : "";
                var stored = await client.GetAsync(kind, ns, doc.Name, Ct);
                var expected = doc.DeepClone();
                ObjectValidator.Shared.Default(expected);
                JsonNode.DeepEquals(stored.Spec, expected.Spec).ShouldBeTrue(
                    $"{file}: {doc}.spec: expected {expected.Spec?.ToJsonString()} but the server has {stored.Spec?.ToJsonString()}");
                foreach (var (k, v) in doc.Labels) stored.Labels.GetValueOrDefault(k).ShouldBe(v, $"{file}: {doc} label {k}");
                versions[$"{kind.Kind}/{ns}/{doc.Name}"] = stored.ResourceVersion!;
            }
            return versions;
        }

        var first = await CheckAllPresent();
        var revision = await cp.Store.GetRevisionAsync(Ct);
        var token = cp.Context.Token;

        await cp.RestartAsync();
        (await ChangesSince(revision)).ShouldBeEmpty("a second start writes nothing");
        (await CheckAllPresent()).ShouldBe(first);
        cp.Context.Token.ShouldBe(token, "the admin token is created once; the CLI configuration keeps it");
        using (var client = cp.Client()) (await client.ListAsync(KindRegistry.Default.FindByKind("Organization")!, null, ct: Ct)).Items.ShouldNotBeEmpty();

        // A default a platform engineer deletes stays deleted: the bootstrap runs once per installation.
        using (var client = cp.Client())
        {
            (await client.DeleteAsync(KindRegistry.Default.FindByKind("ComponentType")!, "default", "scheduled-task", Ct)).ShouldBeTrue();
        }
        revision = await cp.Store.GetRevisionAsync(Ct);
        await cp.RestartAsync();
        (await ChangesSince(revision)).ShouldBeEmpty();
        using (var client = cp.Client())
        {
            (await client.TryGetAsync(KindRegistry.Default.FindByKind("ComponentType")!, "default", "scheduled-task", Ct)).ShouldBeNull();
        }
    }
}
