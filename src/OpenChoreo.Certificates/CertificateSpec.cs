using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Pki;

namespace OpenChoreo.Certificates;

/// <summary>A Certificate's spec read into types.</summary>
internal sealed record CertificateSpec(string SecretName, IReadOnlyList<string> DnsNames, string IssuerKind, string IssuerName,
    TimeSpan Duration, RenewalSchedule Renewal)
{
    /// <summary>The value of the issuer annotation on the Secret: a different issuerRef means re-issue.</summary>
    public string IssuerId => IssuerKind + "/" + IssuerName;

    public static CertificateSpec? Parse(JsonNode? spec, TimeSpan defaultDuration, out string? error)
    {
        error = null;
        var secretName = IssuerConfig.Str(spec, "secretName");
        if (secretName is null || !Names.IsDns1123Subdomain(secretName))
        {
            error = $"spec.secretName must be a DNS-1123 name (got '{secretName}')";
            return null;
        }
        var names = (spec?["dnsNames"] as JsonArray ?? []).Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList();
        if (names.Count == 0)
        {
            error = "spec.dnsNames needs at least one name";
            return null;
        }
        foreach (var n in names)
        {
            var bare = n.StartsWith("*.", StringComparison.Ordinal) ? n[2..] : n;
            if (!Names.IsDns1123Subdomain(bare) || !bare.Contains('.', StringComparison.Ordinal))
            {
                error = $"spec.dnsNames: '{n}' is not a valid DNS name (lowercase labels, at least two, optional leading '*.')";
                return null;
            }
        }
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
        {
            error = "spec.dnsNames lists a name twice";
            return null;
        }
        var issuerName = IssuerConfig.Str(spec?["issuerRef"], "name");
        var issuerKind = IssuerConfig.Str(spec?["issuerRef"], "kind") ?? "Issuer";
        if (issuerName is null || issuerKind is not ("Issuer" or "ClusterIssuer"))
        {
            error = issuerName is null ? "spec.issuerRef.name is required" : $"spec.issuerRef.kind must be Issuer or ClusterIssuer (got '{issuerKind}')";
            return null;
        }
        var duration = defaultDuration;
        if (IssuerConfig.Str(spec, "duration") is { } d && !GoDuration.TryParse(d, out duration))
        {
            error = $"spec.duration '{d}' is not a Go duration such as 2160h";
            return null;
        }
        var renewal = RenewalSchedule.Default;
        if (IssuerConfig.Str(spec, "renewBefore") is { } rb)
        {
            if (!GoDuration.TryParse(rb, out var before) || before >= duration)
            {
                error = $"spec.renewBefore '{rb}' must be a Go duration shorter than the duration ({duration})";
                return null;
            }
            renewal = RenewalSchedule.Before(before);
        }
        return new CertificateSpec(secretName, names, issuerKind, issuerName, duration, renewal);
    }
}
