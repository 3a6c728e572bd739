using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>What of a NetworkPolicy the runtime enforces (cell isolation) and what it refuses to report as applied.</summary>
public sealed class NetworkPolicyCheckTests
{
    private const string NotEnforced = "not enforced by the podman runtime: ";
    private const string Why = " (pods of one cell share a network and egress is not filtered)";

    private static ResourceStatus Check(string spec) =>
        NetworkPolicyCheck.Evaluate("cell-a", "np", JsonNode.Parse($$"""{"kind":"NetworkPolicy","metadata":{"name":"np","namespace":"cell-a"}{{spec}}}""")!.AsObject());

    [Theory]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"podSelector":{}}]}]}""")]
    [InlineData("""{"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Ingress"],"ingress":[{}]}""")]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress","Egress"],"ingress":[{"from":[]}],"egress":[{}]}""")]
    public void A_policy_allowing_the_whole_cell_is_enforced(string spec) =>
        Check(",\"spec\":" + spec).ShouldBe(new ResourceStatus("NetworkPolicy", "cell-a", "np", ResourceHealth.Healthy, "enforced: other cells denied; own cell and gateway allowed"));

    [Fact]
    public void Peers_in_other_namespaces_are_noted_as_unreachable() =>
        Check(""","spec":{"podSelector":{},"ingress":[{"from":[{"podSelector":{}},{"namespaceSelector":{"matchLabels":{"team":"x"}}}]}]}""").Message
            .ShouldBe("enforced: other cells denied; own cell and gateway allowed; peers outside the namespace stay unreachable (cells reach each other only through the gateway)");

    [Theory]
    [InlineData("", "spec is required")]
    [InlineData(""","spec":{"ingress":[]}""", "spec.podSelector is required (use {} for every pod)")]
    [InlineData(""","spec":{"podSelector":{},"policyTypes":["Inbound"]}""", "spec.policyTypes: '\"Inbound\"' is not Ingress or Egress")]
    [InlineData(""","spec":{"podSelector":{},"policyTypes":["Ingress"]}""", NotEnforced + "it denies ingress from pods of its own namespace" + Why)]
    [InlineData(""","spec":{"podSelector":{},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"fe"}}}]}]}""", NotEnforced + "it limits ingress from pods of its own namespace to some pods or ports" + Why)]
    [InlineData(""","spec":{"podSelector":{},"ingress":[{"ports":[{"port":8080}]}]}""", NotEnforced + "it limits ingress from pods of its own namespace to some pods or ports" + Why)]
    [InlineData(""","spec":{"podSelector":{},"ingress":[{}],"egress":[{"to":[{"podSelector":{}}]}]}""", NotEnforced + "it limits egress" + Why)]
    [InlineData(""","spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}""", NotEnforced + "it denies ingress from pods of its own namespace; it limits egress" + Why)]
    public void A_policy_the_runtime_cannot_enforce_is_degraded_with_what_is_missing(string spec, string message) =>
        Check(spec).ShouldBe(new ResourceStatus("NetworkPolicy", "cell-a", "np", ResourceHealth.Degraded, message));
}
