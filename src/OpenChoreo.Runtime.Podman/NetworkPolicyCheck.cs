using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman;

/// <summary>
/// Decides whether a NetworkPolicy is what the podman runtime enforces. Enforced for every cell, with or without
/// policies: pods of other cells cannot connect (cell networks are isolated); pods of the same cell and the gateway
/// (through published 127.0.0.1 ports) can. A policy that allows at least that is Healthy; one that asks for more
/// (limits inside a cell, egress limits) is Degraded with what is not enforced, never reported as applied.
/// </summary>
internal static class NetworkPolicyCheck
{
    public static ResourceStatus Evaluate(string ns, string name, JsonObject resource)
    {
        ResourceStatus Degraded(string why) => new("NetworkPolicy", ns, name, ResourceHealth.Degraded, why);

        if (resource["spec"] is not JsonObject spec) return Degraded("spec is required");
        if (spec["podSelector"] is not JsonObject) return Degraded("spec.podSelector is required (use {} for every pod)");
        var types = new List<string>();
        if (spec["policyTypes"] is JsonArray declared)
        {
            foreach (var t in declared)
            {
                var type = t is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (type is not ("Ingress" or "Egress")) return Degraded($"spec.policyTypes: '{t?.ToJsonString()}' is not Ingress or Egress");
                types.Add(type);
            }
        }
        else
        {
            // Kubernetes default: Ingress always, Egress when egress rules are given.
            types.Add("Ingress");
            if (spec["egress"] is not null) types.Add("Egress");
        }

        var notEnforced = new List<string>();
        var notes = new List<string>();
        if (types.Contains("Ingress"))
        {
            var rules = spec["ingress"] as JsonArray ?? [];
            if (!rules.Any(r => r is JsonObject rule && NoPorts(rule) && AllowsWholeNamespace(rule["from"])))
                notEnforced.Add(rules.Count == 0
                    ? "it denies ingress from pods of its own namespace"
                    : "it limits ingress from pods of its own namespace to some pods or ports");
            if (rules.Any(r => r?["from"] is JsonArray peers && peers.Any(p => p?["namespaceSelector"] is not null || p?["ipBlock"] is not null)))
                notes.Add("peers outside the namespace stay unreachable (cells reach each other only through the gateway)");
        }
        if (types.Contains("Egress"))
        {
            var rules = spec["egress"] as JsonArray ?? [];
            if (!rules.Any(r => r is JsonObject rule && NoPorts(rule) && (rule["to"] is not JsonArray to || to.Count == 0)))
                notEnforced.Add("it limits egress");
        }
        if (notEnforced.Count > 0)
            return Degraded($"not enforced by the podman runtime: {string.Join("; ", notEnforced)} (pods of one cell share a network and egress is not filtered)");
        var message = "enforced: other cells denied; own cell and gateway allowed";
        return new("NetworkPolicy", ns, name, ResourceHealth.Healthy, notes.Count > 0 ? $"{message}; {string.Join("; ", notes)}" : message);
    }

    private static bool NoPorts(JsonObject rule) => rule["ports"] is not JsonArray ports || ports.Count == 0;

    /// <summary>No peers (everyone), or a peer that is every pod of the namespace: an empty podSelector alone.</summary>
    private static bool AllowsWholeNamespace(JsonNode? from) =>
        from is not JsonArray peers || peers.Count == 0
        || peers.Any(p => p is JsonObject peer && peer["namespaceSelector"] is null && peer["ipBlock"] is null && IsEmptySelector(peer["podSelector"]));

    private static bool IsEmptySelector(JsonNode? selector) =>
        selector is JsonObject s
        && (s["matchLabels"] is not JsonObject labels || labels.Count == 0)
        && (s["matchExpressions"] is not JsonArray expressions || expressions.Count == 0);
}
