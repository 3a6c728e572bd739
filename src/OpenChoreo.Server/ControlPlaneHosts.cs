using OpenChoreo.Model;

namespace OpenChoreo.Server;

/// <summary>The host names of one installation under its base domain D (DESIGN §10).</summary>
public static class ControlPlaneHosts
{
    public static string Console(string domain) => "openchoreo." + domain;

    public static string Api(string domain) => "api.openchoreo." + domain;

    public static string Thunder(string domain) => "thunder.openchoreo." + domain;

    /// <summary>The data plane's apps wildcard.</summary>
    public static string AppsWildcard(string domain) => "*.apps.openchoreo." + domain;

    /// <summary>The names the control plane's one TLS listener serves.</summary>
    public static IReadOnlyList<string> All(string domain) => [Console(domain), Api(domain), Thunder(domain)];

    public static bool IsValidDomain(string? domain) =>
        domain is not null && domain.Length <= 200 && Names.IsDns1123Subdomain(domain) && domain.Contains('.', StringComparison.Ordinal);
}
