using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Pki;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Enrollment;

namespace OpenChoreo.Agent;

/// <summary>
/// The agent's key, certificate chain and trust bundle in its data directory (<c>agent-key.pem</c>,
/// <c>agent-chain.pem</c>, <c>trust-bundle.pem</c>). The key is made here and never leaves the machine. The agent
/// trusts the whole bundle it received (not one pinned certificate), so a CA rotation with overlap keeps it connected.
/// </summary>
public sealed class AgentCredentials
{
    private const string KeyFile = "agent-key.pem";
    private const string ChainFile = "agent-chain.pem";
    private const string BundleFile = "trust-bundle.pem";

    private readonly string _dir;
    private volatile State? _state;

    private sealed record State(X509Certificate2 Certificate, TrustBundle Bundle);

    public AgentCredentials(string dataDirectory, PlaneIdentity identity)
    {
        _dir = dataDirectory;
        Identity = identity;
        Directory.CreateDirectory(_dir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(Path.Combine(_dir, KeyFile)) && File.Exists(Path.Combine(_dir, ChainFile)) && File.Exists(Path.Combine(_dir, BundleFile)))
            _state = Load();
    }

    public PlaneIdentity Identity { get; }

    public bool IsEnrolled => _state is not null;

    public X509Certificate2 Certificate => (_state ?? throw NotEnrolled()).Certificate;

    public TrustBundle TrustBundle => (_state ?? throw NotEnrolled()).Bundle;

    /// <summary>
    /// Enrolls over HTTPS to <paramref name="controlPlane"/>, trusting the server only if its chain contains a CA with
    /// the SHA-256 <paramref name="caFingerprint"/> and the server certificate chains to it for the URL's host.
    /// </summary>
    public async Task EnrollAsync(Uri controlPlane, string joinToken, string caFingerprint, TimeProvider? time = null, CancellationToken ct = default)
    {
        var pin = CaFingerprint.Normalize(caFingerprint) ?? throw new ArgumentException("--ca-fingerprint: expected a SHA-256 fingerprint (64 hex digits, colons allowed).", nameof(caFingerprint));
        time ??= TimeProvider.System;
        var (key, csr) = SigningRequests.ForPlane(Identity);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = controlPlane.IdnHost,
                RemoteCertificateValidationCallback = (_, cert, chain, _) => PinnedServerCheck(cert, chain, pin, controlPlane.IdnHost, time),
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = controlPlane, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync(EnrollmentPaths.Enroll,
            new EnrollRequest(Identity.Organization, Identity.PlaneType, Identity.PlaneName, joinToken, csr), EnrollmentJson.Default.EnrollRequest, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new InvalidOperationException($"enrollment refused ({(int)response.StatusCode}): {(body.Length > 500 ? body[..500] : body)}");
        }
        var result = await response.Content.ReadFromJsonAsync(EnrollmentJson.Default.EnrollResponse, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("enrollment answer is empty");
        Save(key, result.CertificateChainPem, result.TrustBundlePem);
    }

    /// <summary>Renews through the tunnel with a fresh key; the current connection keeps its certificate.</summary>
    public async Task RenewAsync(TunnelConnection connection, CancellationToken ct)
    {
        var (key, csr) = SigningRequests.ForPlane(Identity);
        var reply = await connection.InvokeAsync(Tunnel.Operations.TunnelOperations.RenewCertificate, new Tunnel.Operations.RenewCertificateRequest(csr), ct: ct).ConfigureAwait(false);
        Save(key, reply.CertificateChainPem, reply.TrustBundlePem);
    }

    private void Save(AsymmetricAlgorithm key, string chainPem, string bundlePem)
    {
        var keyPem = Pem.WritePrivateKey(key);
        var cert = Pem.LoadCertificateWithKey(chainPem, keyPem); // proves the chain's leaf matches our key
        var bundle = TrustBundle.FromPem(bundlePem);
        if (bundle.Authorities.Count == 0) throw new InvalidOperationException("the control plane sent an empty trust bundle");
        Write(KeyFile, keyPem);
        Write(ChainFile, chainPem);
        Write(BundleFile, bundlePem);
        _state = new State(cert, bundle);
        key.Dispose();
    }

    private State Load()
    {
        var cert = Pem.LoadCertificateWithKey(File.ReadAllText(Path.Combine(_dir, ChainFile)), File.ReadAllText(Path.Combine(_dir, KeyFile)));
        return new State(cert, TrustBundle.FromPem(File.ReadAllText(Path.Combine(_dir, BundleFile))));
    }

    private void Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
    }

    internal static bool PinnedServerCheck(X509Certificate? certificate, X509Chain? chain, string pin, string host, TimeProvider time)
    {
        if (certificate is null) return false;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var candidates = new List<X509Certificate2>();
        if (chain is not null)
        {
            foreach (var e in chain.ChainElements) candidates.Add(e.Certificate);
            candidates.AddRange(chain.ChainPolicy.ExtraStore);
        }
        var ca = candidates.FirstOrDefault(c => CaFingerprint.Of(c) == pin
            && c.Extensions["2.5.29.19"] is X509BasicConstraintsExtension { CertificateAuthority: true });
        if (ca is null) return false;
        var result = new TrustBundle([ca]).Verify(leaf, CertificateUsage.ServerAuth, time.GetUtcNow(), chain?.ChainPolicy.ExtraStore);
        return result.IsTrusted && leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false);
    }

    private static InvalidOperationException NotEnrolled() => new("the agent is not enrolled yet (no certificate in its data directory); pass --join-token and --ca-fingerprint");
}
