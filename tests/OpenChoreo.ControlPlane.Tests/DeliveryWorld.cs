using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Auth;
using OpenChoreo.Client;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// An organization of its own for one delivery test: project "shop" on pipeline development → staging →
/// production (production needs approval), components "greeter" (releases greeter-r1..r3, latest r3) and "other"
/// (other-r1). Objects go straight into the store: no controllers run here, the routes only write bindings.
/// </summary>
internal sealed class DeliveryWorld
{
    private readonly ControlPlaneFixture _cp;

    private DeliveryWorld(ControlPlaneFixture cp, string ns)
    {
        _cp = cp;
        Ns = ns;
    }

    public string Ns { get; }

    public IResourceStore Store => _cp.Store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<DeliveryWorld> CreateAsync(ControlPlaneFixture cp)
    {
        var w = new DeliveryWorld(cp, "dv-" + Guid.NewGuid().ToString("N")[..10]);
        await w.Put("Organization", "", w.Ns, null);
        await w.Put("DeploymentPipeline", w.Ns, "pipe", new JsonObject
        {
            ["promotionPaths"] = new JsonArray(
                new JsonObject { ["sourceEnvironmentRef"] = "development", ["targetEnvironmentRefs"] = new JsonArray(new JsonObject { ["name"] = "staging" }) },
                new JsonObject { ["sourceEnvironmentRef"] = "staging", ["targetEnvironmentRefs"] = new JsonArray(new JsonObject { ["name"] = "production", ["requiresApproval"] = true }) }),
        });
        await w.Put("Project", w.Ns, "shop", new JsonObject { ["deploymentPipelineRef"] = "pipe" });
        foreach (var c in new[] { "greeter", "other" })
        {
            await w.Put("Component", w.Ns, c, new JsonObject
            {
                ["owner"] = new JsonObject { ["projectName"] = "shop" },
                ["componentType"] = "deployment/service",
            }, new JsonObject { ["latestRelease"] = new JsonObject { ["name"] = c == "greeter" ? "greeter-r3" : "other-r1", ["releaseHash"] = "h" } });
        }
        // Created in this order: rollback relies on it.
        foreach (var (c, r) in new[] { ("greeter", "greeter-r1"), ("greeter", "greeter-r2"), ("greeter", "greeter-r3"), ("other", "other-r1") })
        {
            await w.Put("ComponentRelease", w.Ns, r, new JsonObject
            {
                ["owner"] = new JsonObject { ["projectName"] = "shop", ["componentName"] = c },
                ["componentType"] = new JsonObject(),
                ["workload"] = new JsonObject(),
            });
        }
        return w;
    }

    private async Task Put(string kind, string ns, string name, JsonObject? spec, JsonObject? status = null)
    {
        var o = new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        };
        if (spec is not null) o["spec"] = spec;
        if (status is not null) o["status"] = status;
        await Store.CreateAsync(new ResourceObject(o), Ct);
    }

    public string Path(string component, string verb) => $"/api/v1/namespaces/{Ns}/components/{component}/{verb}";

    public string PromotionPath(string name, string verb) => $"/api/v1/namespaces/{Ns}/promotions/{name}/{verb}";

    public async Task<ApiClient> UserAsync(string user)
    {
        var issued = await _cp.Services.GetRequiredService<ApiTokens>().IssueAsync(user, Ct);
        return _cp.ClientWithToken(issued.Token);
    }

    public Task<ResourceObject?> Binding(string name) => Store.GetAsync(new ResourceKey("ReleaseBinding", Ns, name), Ct);

    public async Task<string?> ReleaseOf(string binding) => (string?)(await Binding(binding))?.Spec?["releaseName"];

    public async Task<IReadOnlyList<ResourceObject>> Bindings() =>
        (await Store.ListAsync(new ListOptions("ReleaseBinding", Ns), Ct)).Items;

    public async Task<IReadOnlyList<ResourceObject>> Promotions() =>
        (await Store.ListAsync(new ListOptions("Promotion", Ns), Ct)).Items;

    /// <summary>Name → resourceVersion of every binding and promotion: equal snapshots mean nothing was written.</summary>
    public async Task<Dictionary<string, string?>> Snapshot() =>
        (await Bindings()).Concat(await Promotions()).ToDictionary(o => o.Kind + "/" + o.Name, o => o.ResourceVersion);

    public static JsonObject Body(params (string Key, string Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (k, v) in fields) o[k] = v;
        return o;
    }
}
