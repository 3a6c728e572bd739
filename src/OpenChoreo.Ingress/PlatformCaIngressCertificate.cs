using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenChoreo.Pki;

namespace OpenChoreo.Ingress;

/// <summary>
/// The wildcard certificate <c>*.apps.openchoreo.{D}</c> from the platform CA (what <c>up</c> serves), kept in the CA's
/// key store so a restart reuses it, and re-issued at 2/3 of its lifetime or when the CA rotates. An ACME source would
/// feed the same <see cref="IngressCertificateStore"/>.
/// </summary>
public sealed class PlatformCaIngressCertificate : IAsyncDisposable
{
    public const string StoreName = "ingress-apps";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);
    private readonly PlatformCa _ca;
    private readonly IngressCertificateStore _store;
    private readonly string _appsDomain;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PlatformCaIngressCertificate(PlatformCa ca, IngressCertificateStore store, string appsDomain, TimeProvider? time = null, ILogger? logger = null)
    {
        _ca = ca;
        _store = store;
        _appsDomain = appsDomain;
        _logger = logger ?? NullLogger.Instance;
        Current = Issue();
        Install(Current);
        _loop = RenewLoopAsync(time ?? TimeProvider.System);
    }

    public X509Certificate2 Current { get; private set; }

    private X509Certificate2 Issue() => _ca.GetOrIssueCertificate(StoreName, new LeafCertificateRequest
    {
        CommonName = "*." + _appsDomain,
        DnsNames = ["*." + _appsDomain, _appsDomain],
        Lifetime = Lifetime,
    });

    /// <summary>The certificate names the bare apps domain too; a wildcard pattern alone would not select it for that name.</summary>
    private void Install(X509Certificate2 certificate)
    {
        _store.Set("*." + _appsDomain, certificate, isDefault: true);
        _store.Set(_appsDomain, certificate);
    }

    private async Task RenewLoopAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10), time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    var next = Issue();
                    if (next.Thumbprint == Current.Thumbprint) continue;
                    Current = next;
                    Install(next);
                }
                catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or KeyStoreException)
                {
                    IngressLog.CertificateRenewFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
