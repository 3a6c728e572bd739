using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Pki;

namespace OpenChoreo.Server;

/// <summary>
/// The API listener's certificate. With <c>tls:mode=platform-ca</c> it is issued by the platform CA in the data
/// directory and re-issued at 2/3 of its lifetime; with <c>files</c> it is read from PEM files and re-read when they
/// change (e.g. an ACME renewal). Kestrel asks for it per handshake, so a new certificate applies without a restart and
/// without dropping open connections.
/// </summary>
public sealed partial class ServerCertificateSource : BackgroundService
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);
    private readonly ControlPlaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerCertificateSource> _logger;
    private readonly PlatformCa? _ca;
    private X509Certificate2 _current;
    private DateTime _filesWritten;

    /// <param name="platformCa">The process's one platform CA (shared with the cluster gateway, so a rotation is seen by both).</param>
    public ServerCertificateSource(IOptions<ControlPlaneOptions> options, TimeProvider time, Func<PlatformCa> platformCa,
        ILogger<ServerCertificateSource> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (_options.Tls.Mode == "platform-ca")
        {
            _ca = platformCa();
            _current = IssueFromCa();
        }
        else
        {
            _current = LoadFiles();
        }
    }

    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>The PEM clients should trust: the platform CA bundle, or null for certificates from elsewhere.</summary>
    public string? TrustBundlePem => _ca?.TrustBundle.ToPem();

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), _time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                if (_ca is not null && RenewalSchedule.Default.NeedsRenewal(Current, _time)) Swap(IssueFromCa());
                else if (_ca is null && File.GetLastWriteTimeUtc(_options.Tls.CertFile!) != _filesWritten) Swap(LoadFiles());
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
            {
                LogRenewFailed(_logger, e);
            }
        }
    }

    private void Swap(X509Certificate2 next)
    {
        Volatile.Write(ref _current, next);
        LogSwapped(_logger, next.NotAfter);
    }

    private X509Certificate2 IssueFromCa()
    {
        var dns = new List<string> { "localhost" };
        dns.AddRange(_options.Tls.DnsNames.Where(d => !string.IsNullOrWhiteSpace(d)));
        // The fallback for the domain's hosts until (or unless) a Certificate covers them.
        if (!string.IsNullOrEmpty(_options.Domain)) dns.AddRange(ControlPlaneHosts.All(_options.Domain));
        var issued = _ca!.Issuer.IssueServerCertificate(new LeafCertificateRequest
        {
            CommonName = "openchoreo-control-plane",
            DnsNames = dns.Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
            IpAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback],
            Lifetime = Lifetime,
        });
        return issued.Certificate;
    }

    private X509Certificate2 LoadFiles()
    {
        _filesWritten = File.GetLastWriteTimeUtc(_options.Tls.CertFile!);
        return Pem.LoadCertificateWithKey(File.ReadAllText(_options.Tls.CertFile!), File.ReadAllText(_options.Tls.KeyFile!));
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "API server certificate replaced; the new one expires {NotAfter:u}")]
    private static partial void LogSwapped(ILogger logger, DateTime notAfter);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Error, Message = "Could not renew the API server certificate; the current one stays in use")]
    private static partial void LogRenewFailed(ILogger logger, Exception e);
}
