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
        var host = controlPlane.IdnHost;
        var pinned = await FetchPinnedCaAsync(controlPlane, pin, time, ct).ConfigureAwait(false);
        var (key, csr) = SigningRequests.ForPlane(Identity);
        var trust = new TrustBundle([pinned]);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = TlsPolicies.ServerCertificateValidator(() => trust, host, new TlsValidationOptions { TimeProvider = time }),
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

    /// <summary>
    /// Bootstraps trust from the pin. TLS servers do not send their self-signed root, so the agent first fetches the
    /// public trust bundle (a GET that carries no secret) and keeps the server certificate of that very connection; the
    /// answer is used only if it holds a CA with the pinned fingerprint AND that connection's certificate chains to it
    /// for the expected host. Anything else aborts before the join token is ever sent.
    /// </summary>
    private static async Task<X509Certificate2> FetchPinnedCaAsync(Uri controlPlane, string pin, TimeProvider time, CancellationToken ct)
    {
        X509Certificate2? seen = null;
        X509Certificate2Collection? seenExtra = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = controlPlane.IdnHost,
                // Recorded, then verified below against the pinned CA before anything from this connection is trusted.
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                {
                    if (cert is null) return false;
                    seen = cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    seenExtra = chain is null ? null : [.. chain.ChainPolicy.ExtraStore];
                    return true;
                },
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = controlPlane, Timeout = TimeSpan.FromSeconds(30), MaxResponseContentBufferSize = Pem.MaxPemLength };
        var pem = await http.GetStringAsync(EnrollmentPaths.TrustBundle, ct).ConfigureAwait(false);
        var ca = TrustBundle.FromPem(pem).Authorities.FirstOrDefault(c => CaFingerprint.Of(c) == pin)
            ?? throw new InvalidOperationException("the control plane's trust bundle holds no CA with the pinned fingerprint (wrong --ca-fingerprint, or not the control plane you meant)");
        if (seen is null || !PinnedServerCheck(seen, seenExtra, ca, controlPlane.IdnHost, time))
            throw new InvalidOperationException("the control plane's TLS certificate does not chain to the pinned CA for " + controlPlane.IdnHost);
        return ca;
    }

    internal static bool PinnedServerCheck(X509Certificate2 leaf, X509Certificate2Collection? extra, X509Certificate2 ca, string host, TimeProvider time)
    {
        var result = new TrustBundle([ca]).Verify(leaf, CertificateUsage.ServerAuth, time.GetUtcNow(), extra);
        return result.IsTrusted && leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false);
    }

    private static InvalidOperationException NotEnrolled() => new("the agent is not enrolled yet (no certificate in its data directory); pass --join-token and --ca-fingerprint");
}
