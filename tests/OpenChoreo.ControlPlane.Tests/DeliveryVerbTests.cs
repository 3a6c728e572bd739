using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;
using static OpenChoreo.ControlPlane.Tests.DeliveryWorld;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// The task routes (deploy, promote, approve/reject, rollback, state, status) against a real control plane with its
/// controllers off: these tests check exactly what the routes write. ReleaseChainEndToEndTests runs the verbs with the
/// controllers and a real agent.
/// </summary>
public sealed class DeliveryVerbTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ApiException> Refused(Func<Task> call) => await Should.ThrowAsync<ApiException>(call);

    [Fact]
    public async Task Deploy_without_arguments_binds_the_latest_release_to_the_first_environment()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        var result = await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct);
        ((string?)result["result"]).ShouldBe("created");
        ((string?)result["message"]).ShouldBe("deployed greeter-r3 to development (releasebinding greeter-development created)");

        var binding = (await w.Binding("greeter-development")).ShouldNotBeNull();
        ((string?)binding.Spec!["releaseName"]).ShouldBe("greeter-r3");
        ((string?)binding.Spec["environment"]).ShouldBe("development");
        ((string?)binding.Spec["owner"]!["projectName"]).ShouldBe("shop");
        ((string?)binding.Spec["owner"]!["componentName"]).ShouldBe("greeter");
        binding.Labels[Labels.Project].ShouldBe("shop");
        binding.Labels[Labels.Component].ShouldBe("greeter");
        binding.Labels[Labels.Environment].ShouldBe("development");
        binding.OwnerReferences.ShouldHaveSingleItem().Name.ShouldBe("greeter");

        var again = await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct);
        ((string?)again["result"]).ShouldBe("unchanged");
    }

    [Fact]
    public async Task Deploy_with_env_and_release_updates_that_binding()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("env", "staging"), ("release", "greeter-r1")), Ct);
        (await w.ReleaseOf("greeter-staging")).ShouldBe("greeter-r1");
        var r = await client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("env", "staging"), ("release", "greeter-r2")), Ct);
        ((string?)r["result"]).ShouldBe("updated");
        (await w.ReleaseOf("greeter-staging")).ShouldBe("greeter-r2");
    }

    [Fact]
    public async Task Deploy_refuses_bad_input_and_changes_nothing()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        var before = await w.Snapshot();

        var gated = await Refused(() => client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("env", "production")), Ct));
        gated.Code.ShouldBe(422);
        gated.Message.ShouldBe("environment \"production\" requires approval in DeploymentPipeline \"pipe\": reach it with promote, not deploy");

        var unknownEnv = await Refused(() => client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("env", "qa")), Ct));
        unknownEnv.Code.ShouldBe(422);
        unknownEnv.Message.ShouldBe("environment \"qa\" is not in DeploymentPipeline \"pipe\" (its environments: development, staging, production)");
        unknownEnv.Causes.ShouldHaveSingleItem().Field.ShouldBe("env");

        var foreign = await Refused(() => client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("release", "other-r1")), Ct));
        foreign.Code.ShouldBe(422);
        foreign.Message.ShouldBe("ComponentRelease \"other-r1\" belongs to component \"other\" of project \"shop\", not to \"greeter\" of project \"shop\"");

        var typo = await Refused(() => client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("environment", "staging")), Ct));
        typo.Code.ShouldBe(400);
        typo.Message.ShouldBe("unknown field \"environment\" (allowed: env, release)");

        var missing = await Refused(() => client.PostJsonAsync(w.Path("nope", "deploy"), new JsonObject(), Ct));
        missing.Code.ShouldBe(404);
        missing.Message.ShouldBe($"components.openchoreo.dev \"nope\" not found in namespace \"{w.Ns}\"");

        (await w.Snapshot()).ShouldBe(before);
    }

    [Fact]
    public async Task Promote_along_a_declared_edge_copies_the_release()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("release", "greeter-r2")), Ct);
        var r = await client.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "development"), ("to", "staging")), Ct);
        ((string?)r["message"]).ShouldBe("promoted greeter-r2 from development to staging (releasebinding greeter-staging created)");
        (await w.ReleaseOf("greeter-staging")).ShouldBe("greeter-r2");
        (await w.ReleaseOf("greeter-development")).ShouldBe("greeter-r2");
    }

    [Fact]
    public async Task Promote_refuses_an_undeclared_edge_or_an_empty_source_and_changes_nothing()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct);
        var before = await w.Snapshot();

        var skip = await Refused(() => client.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "development"), ("to", "production")), Ct));
        skip.Code.ShouldBe(422);
        skip.Reason.ShouldBe(StatusReasons.Invalid);
        skip.Message.ShouldBe("cannot promote \"greeter\" from development to production: DeploymentPipeline \"pipe\" has no promotion path development → production (from development it allows: staging)");
        skip.Causes.ShouldHaveSingleItem().Field.ShouldBe("to");

        var backwards = await Refused(() => client.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "production"), ("to", "staging")), Ct));
        backwards.Message.ShouldBe("cannot promote \"greeter\" from production to staging: DeploymentPipeline \"pipe\" has no promotion path production → staging (production is not the source of any path)");

        var empty = await Refused(() => client.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "staging"), ("to", "production")), Ct));
        empty.Code.ShouldBe(422);
        empty.Message.ShouldBe("cannot promote \"greeter\" from staging: no release is bound there (deploy it to staging first)");

        var noArgs = await Refused(() => client.PostJsonAsync(w.Path("greeter", "promote"), new JsonObject(), Ct));
        noArgs.Code.ShouldBe(422);
        noArgs.Message.ShouldBe("promote needs from and to");
        noArgs.Causes.Select(c => c.Field).ShouldBe(["from", "to"]);

        (await w.Snapshot()).ShouldBe(before);
    }

    /// <summary>Deploys greeter-r2 to staging and asks (as <paramref name="requester"/>) to promote it to production.</summary>
    private static async Task<string> RequestProductionAsync(DeliveryWorld w, OpenChoreo.Client.ApiClient requester)
    {
        await requester.PostJsonAsync(w.Path("greeter", "deploy"), Body(("env", "staging"), ("release", "greeter-r2")), Ct);
        var r = await requester.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "staging"), ("to", "production")), Ct);
        ((string?)r["result"]).ShouldBe("pending");
        var name = (string?)r["promotion"] ?? throw new InvalidOperationException("no promotion name");
        ((string?)r["message"]).ShouldStartWith($"promotion pending approval: {name} ");
        return name;
    }

    [Fact]
    public async Task Promotion_that_needs_approval_waits_then_applies_when_another_user_approves()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var alice = await w.UserAsync("alice");
        using var bob = await w.UserAsync("bob");
        var name = await RequestProductionAsync(w, alice);

        (await w.Binding("greeter-production")).ShouldBeNull();
        var pending = (await w.Promotions()).ShouldHaveSingleItem();
        pending.Name.ShouldBe(name);
        ((string?)pending.Spec!["requestedBy"]).ShouldBe("alice");
        ((string?)pending.Spec["releaseName"]).ShouldBe("greeter-r2");
        ((string?)pending.Spec["from"]).ShouldBe("staging");
        ((string?)pending.Spec["to"]).ShouldBe("production");
        ((string?)pending.Status!["phase"]).ShouldBe("Pending");

        // Asking again returns the same request.
        var twice = await alice.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "staging"), ("to", "production")), Ct);
        ((string?)twice["promotion"]).ShouldBe(name);
        (await w.Promotions()).Count.ShouldBe(1);

        var approved = await bob.PostJsonAsync(w.PromotionPath(name, "approve"), Body(("reason", "looks good")), Ct);
        ((string?)approved["message"]).ShouldBe($"promotion {name} approved: greeter-r2 deployed to production (releasebinding greeter-production created)");
        (await w.ReleaseOf("greeter-production")).ShouldBe("greeter-r2");
        var applied = (await w.Promotions()).ShouldHaveSingleItem();
        ((string?)applied.Status!["phase"]).ShouldBe("Applied");
        ((string?)applied.Status["decidedBy"]).ShouldBe("bob");
        ((string?)applied.Status["reason"]).ShouldBe("looks good");

        var before = await w.Snapshot();
        var again = await Refused(() => bob.PostJsonAsync(w.PromotionPath(name, "approve"), new JsonObject(), Ct));
        again.Code.ShouldBe(409);
        again.Message.ShouldBe($"promotion \"{name}\" is already Applied");
        (await w.Snapshot()).ShouldBe(before);
    }

    [Fact]
    public async Task Two_approvers_at_once_apply_the_promotion_exactly_once()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var alice = await w.UserAsync("alice");
        using var bob = await w.UserAsync("bob");
        using var carol = await w.UserAsync("carol");
        var name = await RequestProductionAsync(w, alice);

        async Task<string> Approve(OpenChoreo.Client.ApiClient c)
        {
            try
            {
                return (string?)(await c.PostJsonAsync(w.PromotionPath(name, "approve"), new JsonObject(), Ct))["result"] ?? "";
            }
            catch (ApiException e)
            {
                return e.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        var outcomes = await Task.WhenAll(Approve(bob), Approve(carol));
        outcomes.Order().ShouldBe(["409", "created"]);
        (await w.ReleaseOf("greeter-production")).ShouldBe("greeter-r2");
        ((string?)(await w.Promotions()).ShouldHaveSingleItem().Status!["phase"]).ShouldBe("Applied");
    }

    [Fact]
    public async Task Promoting_to_an_approval_gated_environment_that_already_runs_the_release_asks_nobody()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var alice = await w.UserAsync("alice");
        using var bob = await w.UserAsync("bob");
        var name = await RequestProductionAsync(w, alice);
        await bob.PostJsonAsync(w.PromotionPath(name, "approve"), new JsonObject(), Ct);
        var before = await w.Snapshot();

        var r = await alice.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "staging"), ("to", "production")), Ct);
        ((string?)r["result"]).ShouldBe("unchanged");
        ((string?)r["message"]).ShouldBe("greeter-r2 is already deployed to production (releasebinding greeter-production unchanged)");
        (await w.Snapshot()).ShouldBe(before);
    }

    [Fact]
    public async Task Promotion_spec_is_immutable_and_complete_through_the_resource_api()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var alice = await w.UserAsync("alice");
        var name = await RequestProductionAsync(w, alice);
        using var admin = cp.Client();
        var kind = KindRegistry.Default.FindByKind("Promotion")!;
        var promotion = await admin.GetAsync(kind, w.Ns, name, Ct);
        promotion.Spec!["requestedBy"] = "mallory";
        var changed = await Refused(() => admin.UpdateAsync(kind, promotion, Ct));
        changed.Code.ShouldBe(422);
        changed.Message.ShouldBe($"Promotion \"{name}\" is invalid: spec: Invalid value: \"object\": spec is immutable");

        var incomplete = ResourceObject.Parse($$$"""{"apiVersion":"openchoreo.dev/v1alpha1","kind":"Promotion","metadata":{"name":"hand-made","namespace":"{{{w.Ns}}}"},"spec":{"component":"greeter"}}""");
        var refused = await Refused(() => admin.CreateAsync(kind, incomplete, Ct));
        refused.Code.ShouldBe(422);
        refused.Message.ShouldBe("Promotion \"hand-made\" is invalid: spec.from: Required value; spec.to: Required value; spec.releaseName: Required value; " +
            "spec.requestedBy: Required value; some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
        (await w.Promotions()).ShouldHaveSingleItem().Name.ShouldBe(name);
    }

    [Fact]
    public async Task Rejected_promotion_leaves_the_target_unchanged()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var alice = await w.UserAsync("alice");
        using var bob = await w.UserAsync("bob");
        var name = await RequestProductionAsync(w, alice);

        var r = await bob.PostJsonAsync(w.PromotionPath(name, "reject"), Body(("reason", "freeze")), Ct);
        ((string?)r["message"]).ShouldBe($"promotion {name} rejected; production is unchanged");
        (await w.Binding("greeter-production")).ShouldBeNull();
        var rejected = (await w.Promotions()).ShouldHaveSingleItem();
        ((string?)rejected.Status!["phase"]).ShouldBe("Rejected");
        ((string?)rejected.Status["decidedBy"]).ShouldBe("bob");
        ((string?)rejected.Status["reason"]).ShouldBe("freeze");

        var late = await Refused(() => bob.PostJsonAsync(w.PromotionPath(name, "approve"), new JsonObject(), Ct));
        late.Code.ShouldBe(409);
        late.Message.ShouldBe($"promotion \"{name}\" is already Rejected");
        (await w.Binding("greeter-production")).ShouldBeNull();
    }

    [Fact]
    public async Task Requester_cannot_approve_their_own_promotion()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var alice = await w.UserAsync("alice");
        var name = await RequestProductionAsync(w, alice);
        var before = await w.Snapshot();

        var self = await Refused(() => alice.PostJsonAsync(w.PromotionPath(name, "approve"), new JsonObject(), Ct));
        self.Code.ShouldBe(403);
        self.Reason.ShouldBe(StatusReasons.Forbidden);
        self.Message.ShouldBe($"promotion \"{name}\" was requested by alice; another user must approve it");
        (await w.Snapshot()).ShouldBe(before);
        (await w.Binding("greeter-production")).ShouldBeNull();
    }

    [Fact]
    public async Task Bootstrap_admin_cannot_approve_its_own_promotion_once_other_users_exist()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        (await w.UserAsync("someone-else")).Dispose();
        using var admin = cp.Client();
        var name = await RequestProductionAsync(w, admin);
        var before = await w.Snapshot();

        var self = await Refused(() => admin.PostJsonAsync(w.PromotionPath(name, "approve"), new JsonObject(), Ct));
        self.Code.ShouldBe(403);
        self.Message.ShouldBe($"promotion \"{name}\" was requested by admin; another user must approve it (the bootstrap admin may approve its own requests only while it is the only user)");
        (await w.Snapshot()).ShouldBe(before);
    }

    [Fact]
    public async Task Rollback_goes_to_the_previous_release_or_the_named_one()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct); // r3
        var r = await client.PostJsonAsync(w.Path("greeter", "rollback"), Body(("env", "development")), Ct);
        ((string?)r["message"]).ShouldBe("rolled back greeter in development from greeter-r3 to greeter-r2 (releasebinding greeter-development updated)");
        (await w.ReleaseOf("greeter-development")).ShouldBe("greeter-r2");

        await client.PostJsonAsync(w.Path("greeter", "rollback"), Body(("env", "development")), Ct);
        (await w.ReleaseOf("greeter-development")).ShouldBe("greeter-r1");

        var before = await w.Snapshot();
        var oldest = await Refused(() => client.PostJsonAsync(w.Path("greeter", "rollback"), Body(("env", "development")), Ct));
        oldest.Code.ShouldBe(409);
        oldest.Message.ShouldBe("cannot roll back \"greeter\" in development: it has no release older than greeter-r1");
        (await w.Snapshot()).ShouldBe(before);

        await client.PostJsonAsync(w.Path("greeter", "rollback"), Body(("env", "development"), ("to", "greeter-r3")), Ct);
        (await w.ReleaseOf("greeter-development")).ShouldBe("greeter-r3");
    }

    [Fact]
    public async Task Rollback_to_a_release_of_another_component_is_refused_and_changes_nothing()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct);
        var before = await w.Snapshot();

        var foreign = await Refused(() => client.PostJsonAsync(w.Path("greeter", "rollback"), Body(("env", "development"), ("to", "other-r1")), Ct));
        foreign.Code.ShouldBe(422);
        foreign.Message.ShouldBe("ComponentRelease \"other-r1\" belongs to component \"other\" of project \"shop\", not to \"greeter\" of project \"shop\"");
        foreign.Causes.ShouldHaveSingleItem().Field.ShouldBe("to");

        var notDeployed = await Refused(() => client.PostJsonAsync(w.Path("greeter", "rollback"), Body(("env", "staging")), Ct));
        notDeployed.Code.ShouldBe(422);
        notDeployed.Message.ShouldBe("cannot roll back \"greeter\" in staging: no release is bound there");

        (await w.Snapshot()).ShouldBe(before);
        (await w.ReleaseOf("greeter-development")).ShouldBe("greeter-r3");
    }

    [Fact]
    public async Task Undeploy_suspend_and_resume_set_the_binding_state()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct);
        async Task<string?> State() => (string?)(await w.Binding("greeter-development"))!.Spec!["state"];

        var s = await client.PostJsonAsync(w.Path("greeter", "suspend"), Body(("env", "development")), Ct);
        ((string?)s["message"]).ShouldBe("suspended greeter in development (releasebinding greeter-development state Active → Suspend)");
        (await State()).ShouldBe("Suspend");
        await client.PostJsonAsync(w.Path("greeter", "undeploy"), Body(("env", "development")), Ct);
        (await State()).ShouldBe("Undeploy");
        await client.PostJsonAsync(w.Path("greeter", "resume"), Body(("env", "development")), Ct);
        (await State()).ShouldBe("Active");
        var again = await client.PostJsonAsync(w.Path("greeter", "resume"), Body(("env", "development")), Ct);
        ((string?)again["result"]).ShouldBe("unchanged");
        (await w.ReleaseOf("greeter-development")).ShouldBe("greeter-r3");

        var before = await w.Snapshot();
        var none = await Refused(() => client.PostJsonAsync(w.Path("greeter", "undeploy"), Body(("env", "staging")), Ct));
        none.Code.ShouldBe(422);
        none.Message.ShouldBe("cannot undeploy \"greeter\" in staging: it has no releasebinding there (deploy it first)");
        var noEnv = await Refused(() => client.PostJsonAsync(w.Path("greeter", "suspend"), new JsonObject(), Ct));
        noEnv.Message.ShouldBe("the environment to suspend is required");
        (await w.Snapshot()).ShouldBe(before);
    }

    [Fact]
    public async Task Status_has_one_row_per_pipeline_environment()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct);
        await client.PostJsonAsync(w.Path("greeter", "deploy"), Body(("env", "staging"), ("release", "greeter-r2")), Ct);
        await client.PostJsonAsync(w.Path("greeter", "suspend"), Body(("env", "staging")), Ct);
        var promo = (string?)(await client.PostJsonAsync(w.Path("greeter", "promote"), Body(("from", "staging"), ("to", "production")), Ct))["promotion"];

        // What the controllers would write: a Ready condition on the binding and a Release with an HTTPRoute.
        var binding = (await w.Binding("greeter-development"))!;
        Conditions.Set(binding, new Condition("Ready", Condition.False, "ResourcesProgressing", "1 of 2 ready"), DateTimeOffset.UtcNow);
        await w.Store.UpdateAsync(binding, UpdateScope.Status, Ct);
        await CreateRouteReleaseAsync(w, plane: null);

        var status = await client.GetJsonAsync(w.Path("greeter", "status"), Ct);
        ((string?)status["pipeline"]).ShouldBe("pipe");
        var rows = status["environments"]!.AsArray().Select(r => r!.AsObject()).ToArray();
        rows.Select(r => (string?)r["environment"]).ShouldBe(["development", "staging", "production"]);
        ((string?)rows[0]["releaseName"]).ShouldBe("greeter-r3");
        ((string?)rows[0]["state"]).ShouldBe("Active");
        ((string?)rows[0]["ready"]).ShouldBe("False");
        ((string?)rows[0]["reason"]).ShouldBe("ResourcesProgressing");
        ((string?)rows[0]["url"]).ShouldBe("https://dev.apps.example.test/greeter");
        ((string?)rows[0]["since"]).ShouldNotBeNull();
        ((string?)rows[1]["releaseName"]).ShouldBe("greeter-r2");
        ((string?)rows[1]["state"]).ShouldBe("Suspend");
        rows[1]["url"].ShouldBeNull();
        ((string?)rows[2]["state"]).ShouldBe("NotDeployed");
        rows[2]["releaseName"].ShouldBeNull();
        rows[2]["pendingPromotions"]!.AsArray().Select(n => (string?)n).ShouldBe([promo]);
    }

    [Fact]
    public async Task Task_routes_require_a_token()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var anonymous = cp.ClientWithToken(null);
        var e = await Refused(() => anonymous.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct));
        e.Code.ShouldBe(401);
        (await w.Bindings()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("9443", "https://dev.apps.example.test:9443/greeter")]
    [InlineData("443", "https://dev.apps.example.test/greeter")]
    [InlineData("not-a-port", "https://dev.apps.example.test/greeter")]
    [InlineData("70000", "https://dev.apps.example.test/greeter")]
    [InlineData("-1", "https://dev.apps.example.test/greeter")]
    public async Task Status_urls_carry_the_https_port_annotated_on_the_release_data_plane(string annotation, string url)
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        using var client = cp.Client();
        await client.PostJsonAsync(w.Path("greeter", "deploy"), new JsonObject(), Ct);
        var plane = "edge-" + Guid.NewGuid().ToString("n")[..6];
        await w.Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "DataPlane",
            ["metadata"] = new JsonObject { ["name"] = plane, ["namespace"] = w.Ns, ["annotations"] = new JsonObject { ["openchoreo.dev/public-https-port"] = annotation } },
            ["spec"] = new JsonObject { ["gateway"] = new JsonObject { ["publicVirtualHost"] = "apps.example.test", ["organizationVirtualHost"] = "org.example.test" } },
        }), Ct);
        await CreateRouteReleaseAsync(w, plane);

        var status = await client.GetJsonAsync(w.Path("greeter", "status"), Ct);
        ((string?)status["environments"]![0]!["url"]).ShouldBe(url);
    }

    /// <summary>The greeter's development Release holding one HTTPRoute (dev.apps.example.test, /greeter), optionally labelled with its data plane.</summary>
    private static Task CreateRouteReleaseAsync(DeliveryWorld w, string? plane)
    {
        var metadata = new JsonObject { ["name"] = "greeter-development", ["namespace"] = w.Ns };
        if (plane is not null) metadata["labels"] = new JsonObject { ["openchoreo.dev/dataplane"] = plane };
        return w.Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "Release",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["owner"] = new JsonObject { ["projectName"] = "shop", ["componentName"] = "greeter" },
                ["environmentName"] = "development",
                ["resources"] = new JsonArray(new JsonObject
                {
                    ["id"] = "route",
                    ["object"] = JsonNode.Parse("""{"kind":"HTTPRoute","spec":{"hostnames":["dev.apps.example.test"],"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/greeter"}}]}]}}"""),
                }),
            },
        }), Ct);
    }
}
