namespace OpenChoreo.Planning.Tests;

/// <summary>What the plan refuses, and why: each refusal names the fix and makes occ plan exit 2.</summary>
public sealed class RefusalTests
{
    private static TopologySpec Single(TlsSpec? control = null, TlsSpec? data = null, TlsSpec? build = null, string version = "1.32", int nodes = 3) =>
        new("example.com", [new ClusterSpec("main", CloudProvider.OnPrem, version, nodes,
        [
            new PlaneSpec(PlaneType.Control, "default", control),
            new PlaneSpec(PlaneType.Data, "default", data),
            new PlaneSpec(PlaneType.Build, "default", build),
        ])], HaSpec.Default);

    private static string[] Refusals(DeploymentPlan plan) => [.. plan.Refusals.Select(r => r.Message)];

    [Fact]
    public void Http01_for_the_data_plane_wildcard_is_refused()
    {
        var plan = DeploymentPlanner.Plan(Single(data: new TlsSpec(TlsStrategy.Acme) { Solver = AcmeSolver.Http01 }));
        Refusals(plan).ShouldBe(["data plane default needs the wildcard *.apps.openchoreo.example.com, and ACME HTTP-01 cannot validate wildcard names: use solver dns01 (rfc2136 or cloudflare) or bring your own certificate"]);
        plan.Usable.ShouldBeFalse();
    }

    [Fact]
    public void Http01_for_a_wildcard_control_plane_certificate_is_refused_but_a_SAN_certificate_is_fine()
    {
        DeploymentPlanner.Plan(Single(control: new TlsSpec(TlsStrategy.Acme) { Wildcard = true })).Refusals.Single().Message
            .ShouldStartWith("the control plane needs the wildcard *.openchoreo.example.com, and ACME HTTP-01 cannot validate wildcard names");
        DeploymentPlanner.Plan(Single(control: new TlsSpec(TlsStrategy.Acme))).Usable.ShouldBeTrue();
    }

    [Theory]
    [InlineData(TlsStrategy.SelfSigned, false, "the registry would serve a self-signed certificate; nodes refuse to pull images from it")]
    [InlineData(TlsStrategy.Ca, false, "the registry would serve a certificate from the platform CA that the nodes do not trust; nodes refuse to pull images from it")]
    public void A_registry_certificate_the_nodes_do_not_trust_is_refused(TlsStrategy strategy, bool trusted, string expected)
    {
        var plan = DeploymentPlanner.Plan(Single(build: new TlsSpec(strategy) { TrustedByNodes = trusted }));
        Refusals(plan).Single().ShouldStartWith(expected);
    }

    [Fact]
    public void A_platform_CA_registry_certificate_is_accepted_once_the_nodes_trust_the_CA() =>
        DeploymentPlanner.Plan(Single(build: new TlsSpec(TlsStrategy.Ca) { TrustedByNodes = true })).Usable.ShouldBeTrue();

    [Theory]
    [InlineData("1.31", "cluster main runs Kubernetes 1.31; 1.32 or newer is required")]
    [InlineData("1.9", "cluster main runs Kubernetes 1.9; 1.32 or newer is required")]
    [InlineData("latest", "cluster main: \"latest\" is not a Kubernetes version like 1.32")]
    public void Kubernetes_older_than_1_32_is_refused(string version, string expected) =>
        Refusals(DeploymentPlanner.Plan(Single(version: version))).ShouldBe([expected]);

    [Theory]
    [InlineData("1.32")]
    [InlineData("v1.33.2")]
    [InlineData("2.0")]
    public void Supported_versions_pass(string version) => DeploymentPlanner.Plan(Single(version: version)).Usable.ShouldBeTrue();

    [Fact]
    public void Fewer_than_three_nodes_is_a_warning_not_a_refusal()
    {
        var plan = DeploymentPlanner.Plan(Single(nodes: 1));
        plan.Usable.ShouldBeTrue();
        plan.Findings.ShouldContain(f => f.Level == FindingLevel.Warning && f.Message == "cluster main has 1 node; 3 or more are recommended");
    }

    [Fact]
    public void Missing_and_duplicate_planes_are_refused()
    {
        var topology = new TopologySpec("example.com",
        [
            new ClusterSpec("a", CloudProvider.Gke, "1.32", 3, [new PlaneSpec(PlaneType.Build, "default", null)]),
            new ClusterSpec("a", CloudProvider.Gke, "1.32", 3, [new PlaneSpec(PlaneType.Build, "default", null)]),
        ], HaSpec.Default);
        Refusals(DeploymentPlanner.Plan(topology)).ShouldBe([
            "there is no control plane: exactly one cluster must host type control",
            "there is no data plane: at least one cluster must host type data",
            "there is more than one build plane: one is shared by all data planes",
            "two clusters are named a",
        ]);
    }

    [Fact]
    public async Task Occ_plan_prints_the_refusals_first_and_exits_2()
    {
        var (code, stdout, stderr) = await GoldenPlanTests.OccAsync("plan", "--domain", "example.com", "--kubernetes-version", "1.30");
        code.ShouldBe(2);
        stdout.ShouldContain("REFUSED — fix these before installing\n  ✗ cluster main runs Kubernetes 1.30; 1.32 or newer is required\n");
        stdout.IndexOf("REFUSED", StringComparison.Ordinal).ShouldBeLessThan(stdout.IndexOf("Hosts", StringComparison.Ordinal));
        stderr.ShouldBe("error: the plan has 1 refusal(s); see REFUSED above\n");
    }

    [Fact]
    public void Several_data_planes_get_their_own_virtual_hosts_and_records()
    {
        var topology = new TopologySpec("example.com",
        [
            new ClusterSpec("hub", CloudProvider.Eks, "1.32", 3, [new PlaneSpec(PlaneType.Control, "default", null), new PlaneSpec(PlaneType.Data, "us", null)]),
            new ClusterSpec("eu", CloudProvider.Gke, "1.32", 3, [new PlaneSpec(PlaneType.Data, "eu", null)]),
        ], HaSpec.Default);
        var plan = DeploymentPlanner.Plan(topology);
        plan.Topology.ShouldBe(TopologyKind.Custom);
        plan.DnsRecords.Where(r => r.Name.StartsWith('*')).Select(r => $"{r.Name} {r.Type} {r.Target}").ShouldBe([
            "*.us.apps.openchoreo.example.com CNAME <hub data-plane gateway (us) load-balancer hostname>",
            "*.eu.apps.openchoreo.example.com A <eu data-plane gateway (eu) load-balancer IP>",
        ]);
    }
}
