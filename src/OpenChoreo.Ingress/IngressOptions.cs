using System.Net;

namespace OpenChoreo.Ingress;

/// <summary>Settings of the ingress gateway; <see cref="Validate"/> runs at start so a bad value fails there, with its name.</summary>
public sealed class IngressOptions
{
    /// <summary>The base domain D: applications are served at <c>*.apps.openchoreo.{D}</c>.</summary>
    public string Domain { get; set; } = "localhost";

    /// <summary>Plain HTTP listener; null disables it. Port 0 picks a free port.</summary>
    public IPEndPoint? HttpEndpoint { get; set; } = new(IPAddress.Loopback, 8080);

    /// <summary>HTTPS listener (needs a certificate selector); null disables it. Port 0 picks a free port.</summary>
    public IPEndPoint? HttpsEndpoint { get; set; } = new(IPAddress.Loopback, 9443);

    /// <summary>
    /// ACME HTTP-01 answers (token → key authorization, null when unknown), served on the plain-HTTP listener at
    /// <c>/.well-known/acme-challenge/{token}</c> ahead of the routes; null: no challenge answering.
    /// </summary>
    public Func<string, string?>? Http01Answer { get; set; }

    /// <summary>Largest request body accepted (413 above it).</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Longest a client may take to send the request headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest a backend may stay silent (no bytes either way) before the request fails with 504.</summary>
    public TimeSpan BackendTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How long a replica that failed passive health checks is left out before it is tried again.</summary>
    public TimeSpan PassiveHealthReactivation { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One Information line per request (method, host, status, time, component, environment; no path or query).</summary>
    public bool AccessLog { get; set; } = true;

    public string AppsDomain => "apps.openchoreo." + Domain;

    public void Validate()
    {
        if (!HostnameRules.IsDnsName(Domain))
            throw new ArgumentException($"ingress domain '{Domain}' is not a DNS name");
        if (HttpEndpoint is null && HttpsEndpoint is null)
            throw new ArgumentException("ingress needs an HTTP or an HTTPS endpoint");
        if (HttpEndpoint is not null && HttpsEndpoint is not null && HttpEndpoint.Port != 0 && HttpEndpoint.Equals(HttpsEndpoint))
            throw new ArgumentException($"ingress HTTP and HTTPS endpoints are the same ({HttpEndpoint})");
        if (MaxRequestBodyBytes <= 0) throw new ArgumentException("ingress MaxRequestBodyBytes must be positive");
        if (RequestHeadersTimeout <= TimeSpan.Zero) throw new ArgumentException("ingress RequestHeadersTimeout must be positive");
        if (BackendTimeout <= TimeSpan.Zero) throw new ArgumentException("ingress BackendTimeout must be positive");
        if (PassiveHealthReactivation <= TimeSpan.Zero) throw new ArgumentException("ingress PassiveHealthReactivation must be positive");
    }
}
