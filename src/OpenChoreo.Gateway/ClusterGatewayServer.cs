using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Pki;

namespace OpenChoreo.Gateway;

/// <summary>
/// Hosts the agent listener as its own Kestrel server (own port, own TLS settings), so nothing of the API pipeline —
/// bearer tokens, routes — is reachable there, and the client certificate is required and verified in the handshake.
/// </summary>
public sealed partial class ClusterGatewayServer(ClusterGateway gateway, PlaneDirectory planes, PlaneCertificateValidator validator,
    AgentCertificates certificates, IOptions<ClusterGatewayOptions> options, TimeProvider time, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;
    private X509Certificate2? _serverCertificate;

    /// <summary>The bound address (useful with port 0).</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var o = options.Value;
        var listen = new Uri(o.Listen);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            var address = listen.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(listen.Host.Trim('[', ']'));
            kestrel.Listen(address, listen.Port, l => l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, _) => ServerCertificate(),
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = validator.Validate,
                CheckCertificateRevocation = false,
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                HandshakeTimeout = TimeSpan.FromSeconds(10),
            }));
        });
        var app = builder.Build();
        app.UseWebSockets();
        app.Map(ClusterGateway.ConnectPath, gateway.HandleAsync);
        await planes.Synced.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        await app.StartAsync(ct).ConfigureAwait(false);
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        LogListening(loggers.CreateLogger<ClusterGatewayServer>(), Address.ToString());
    }

    /// <summary>The wss:// URL agents dial.</summary>
    public Uri? ConnectUrl => Address is null ? null : new UriBuilder(Address) { Scheme = "wss", Path = ClusterGateway.ConnectPath }.Uri;

    public async Task StopAsync(CancellationToken ct)
    {
        if (_app is not null)
        {
            foreach (var s in gateway.Registry.All()) s.Connection.Close("gateway stopping");
            await _app.StopAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Issued by the platform CA and re-issued at 2/3 of its lifetime; asked for on every handshake.</summary>
    private X509Certificate2 ServerCertificate()
    {
        var current = Volatile.Read(ref _serverCertificate);
        if (current is not null && !RenewalSchedule.Default.NeedsRenewal(current, time)) return current;
        var dns = new List<string> { "localhost" };
        dns.AddRange(options.Value.DnsNames.Where(d => !string.IsNullOrWhiteSpace(d)));
        var issued = certificates.Ca.Issuer.IssueServerCertificate(new LeafCertificateRequest
        {
            CommonName = "openchoreo-cluster-gateway",
            DnsNames = dns.Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
            IpAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback],
            Lifetime = TimeSpan.FromDays(30),
        });
        Volatile.Write(ref _serverCertificate, issued.Certificate);
        return issued.Certificate;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2140, Level = LogLevel.Information, Message = "Cluster gateway listening on {Address}")]
    private static partial void LogListening(ILogger logger, string address);
}
