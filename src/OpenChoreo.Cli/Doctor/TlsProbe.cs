using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Cli.Doctor;

/// <summary>What a TLS endpoint presented for one server name, judged against the system trust plus extra roots.</summary>
public sealed record TlsObservation(X509Certificate2 Certificate, bool Trusted, string? TrustProblem, bool CoversName);

/// <summary>
/// Opens a TLS connection to an address with a given SNI name and reports the certificate. The handshake accepts any
/// certificate so the doctor can say what is wrong with it; nothing is sent over the connection.
/// </summary>
public static class TlsProbe
{
    public static async Task<TlsObservation> ObserveAsync(IPAddress address, int port, string serverName, X509Certificate2Collection extraRoots,
        TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var tcp = new TcpClient(address.AddressFamily);
        await tcp.ConnectAsync(address, port, cts.Token);
        X509Certificate2? seen = null;
        X509Certificate2Collection intermediates = [];
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, cert, chain, _) =>
        {
            if (cert is not null) seen = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            if (chain is not null) foreach (var e in chain.ChainElements.Skip(1)) intermediates.Add(X509CertificateLoader.LoadCertificate(e.Certificate.RawData));
            return true; // judged below, after the handshake, so the report can say why
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        }, cts.Token);
        var leaf = seen ?? throw new InvalidOperationException("the server sent no certificate");
        var (trusted, problem) = Verify(leaf, intermediates, extraRoots);
        return new TlsObservation(leaf, trusted, problem, leaf.MatchesHostname(serverName, allowWildcards: true, allowCommonName: false));
    }

    /// <summary>Trusted when the system store accepts the chain, or when it ends at one of <paramref name="extraRoots"/>.</summary>
    public static (bool Trusted, string? Problem) Verify(X509Certificate2 leaf, X509Certificate2Collection intermediates, X509Certificate2Collection extraRoots)
    {
        using var system = new X509Chain();
        system.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        system.ChainPolicy.ExtraStore.AddRange(intermediates);
        if (system.Build(leaf)) return (true, null);
        var systemProblem = string.Join(", ", system.ChainStatus.Select(s => s.Status).Distinct());
        if (extraRoots.Count == 0) return (false, systemProblem);
        using var custom = new X509Chain();
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        custom.ChainPolicy.ExtraStore.AddRange(intermediates);
        return custom.Build(leaf) ? (true, null) : (false, string.Join(", ", custom.ChainStatus.Select(s => s.Status).Distinct()));
    }
}
