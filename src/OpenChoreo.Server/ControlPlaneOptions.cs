using Microsoft.Extensions.Options;

namespace OpenChoreo.Server;

/// <summary>
/// Settings of the control-plane role. Keys as in the YAML config file; each can be overridden by an environment
/// variable <c>OPENCHOREO_&lt;SECTION&gt;__&lt;KEY&gt;</c> (e.g. <c>OPENCHOREO_STORE__DRIVER=postgres</c>).
/// </summary>
public sealed class ControlPlaneOptions
{
    /// <summary>Where the store file, the CA and the generated CLI configuration live.</summary>
    public string DataDir { get; set; } = "";

    /// <summary>The API listener, e.g. <c>https://127.0.0.1:8443</c>. Port 0 picks a free port.</summary>
    public string Listen { get; set; } = "https://127.0.0.1:8443";

    /// <summary>
    /// Base domain D: the listener serves <c>openchoreo.{D}</c>, <c>api.openchoreo.{D}</c> and <c>thunder.openchoreo.{D}</c>,
    /// with the certificate of a Certificate in the platform namespace that covers the SNI name, else the platform CA's.
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>
    /// Plain-HTTP listener, e.g. <c>http://0.0.0.0:80</c> (port 0 picks a free one): answers ACME HTTP-01 challenges and
    /// redirects everything else to https. Off when empty.
    /// </summary>
    public string? HttpListen { get; set; }

    public StoreSettings Store { get; set; } = new();

    public TlsSettings Tls { get; set; } = new();

    /// <summary>The name of the CLI context written for the first admin token.</summary>
    public string ContextName { get; set; } = "local";

    public ControllerSettings Controllers { get; set; } = new();
}

public sealed class ControllerSettings
{
    /// <summary>
    /// <c>controllers:enabled</c>: run the reconcilers (on the elected leader). Off, the replica serves the API and the
    /// gateway (and delivers releases) but reconciles nothing.
    /// </summary>
    public bool Enabled { get; set; } = true;
}

public sealed class StoreSettings
{
    /// <summary><c>sqlite</c> (embedded, default) or <c>postgres</c>.</summary>
    public string Driver { get; set; } = "sqlite";

    /// <summary>SQLite file; default <c>&lt;dataDir&gt;/store.db</c>.</summary>
    public string? SqlitePath { get; set; }

    /// <summary>Npgsql connection string (several hosts allowed for primary + replicas).</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// The key that seals Secret values at rest (store:secretKeyFile); default &lt;dataDir&gt;/secrets.key, created on
    /// first start. Replicas sharing one PostgreSQL must all point at the same key.
    /// </summary>
    public string? SecretKeyFile { get; set; }
}

public sealed class TlsSettings
{
    /// <summary>
    /// <c>platform-ca</c> (default: a server certificate from the platform CA in the data directory) or <c>files</c>
    /// (<see cref="CertFile"/> and <see cref="KeyFile"/>, e.g. from ACME or your own CA).
    /// </summary>
    public string Mode { get; set; } = "platform-ca";

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>Extra DNS names for the platform-CA server certificate (localhost and 127.0.0.1 are always in).</summary>
    public List<string> DnsNames { get; set; } = [];
}

/// <summary>Checks the settings at start; every message names the key to fix.</summary>
public sealed class ControlPlaneOptionsValidator : IValidateOptions<ControlPlaneOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlPlaneOptions o)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.DataDir)) errors.Add("dataDir: must be set (the directory for the store, CA and CLI configuration)");
        if (!Uri.TryCreate(o.Listen, UriKind.Absolute, out var listen) || listen.Scheme is not ("https" or "http"))
        {
            errors.Add($"listen: \"{o.Listen}\" is not an https:// URL such as https://127.0.0.1:8443");
        }
        else if (listen.Scheme == "http")
        {
            errors.Add("listen: plain http is not allowed; the API carries bearer tokens and must use https");
        }
        if (!string.IsNullOrEmpty(o.Domain) && !ControlPlaneHosts.IsValidDomain(o.Domain))
            errors.Add($"domain: \"{o.Domain}\" is not a DNS name such as example.com (lowercase labels, at least two)");
        if (!string.IsNullOrEmpty(o.HttpListen) && (!Uri.TryCreate(o.HttpListen, UriKind.Absolute, out var http) || http.Scheme != "http"
            || http.AbsolutePath != "/" || !IsAddress(http.Host)))
            errors.Add($"httpListen: \"{o.HttpListen}\" is not an http:// URL with an IP address such as http://0.0.0.0:80");
        switch (o.Store.Driver)
        {
            case "sqlite":
                break;
            case "postgres":
                if (string.IsNullOrWhiteSpace(o.Store.PostgresConnectionString))
                {
                    errors.Add("store:postgresConnectionString: required when store:driver is postgres");
                }
                break;
            default:
                errors.Add($"store:driver: \"{o.Store.Driver}\" is not supported; use sqlite or postgres");
                break;
        }
        switch (o.Tls.Mode)
        {
            case "platform-ca":
                break;
            case "files":
                if (string.IsNullOrWhiteSpace(o.Tls.CertFile) || string.IsNullOrWhiteSpace(o.Tls.KeyFile))
                {
                    errors.Add("tls:certFile and tls:keyFile: both are required when tls:mode is files (half-configured TLS is refused)");
                }
                else
                {
                    if (!File.Exists(o.Tls.CertFile)) errors.Add($"tls:certFile: {o.Tls.CertFile} does not exist");
                    if (!File.Exists(o.Tls.KeyFile)) errors.Add($"tls:keyFile: {o.Tls.KeyFile} does not exist");
                }
                break;
            default:
                errors.Add($"tls:mode: \"{o.Tls.Mode}\" is not supported; use platform-ca or files");
                break;
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsAddress(string host) => host == "localhost" || System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _);
}
