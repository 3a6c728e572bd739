using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>
/// Handshake-time certificate validation for SslStream and Kestrel. Trust comes only from the current
/// <see cref="TrustBundle"/> (the system's policy errors are ignored because they reflect the system roots); a missing or
/// untrusted certificate fails the handshake itself, so no application code ever sees an unauthenticated peer.
/// </summary>
public static class TlsPolicies
{
    /// <summary>Server side: requires a client certificate that chains to the bundle and has the clientAuth EKU.</summary>
    public static RemoteCertificateValidationCallback ClientCertificateValidator(Func<TrustBundle> bundle, TlsValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new();
        return (_, certificate, chain, _) => Report(options, "client", VerifyClient(bundle(), certificate, chain, options));
    }

    /// <summary>The same check in the shape of Kestrel's <c>HttpsConnectionAdapterOptions.ClientCertificateValidation</c>
    /// (use with <c>ClientCertificateMode.RequireCertificate</c>).</summary>
    public static Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool> KestrelClientCertificateValidator(Func<TrustBundle> bundle, TlsValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new();
        return (certificate, chain, _) => Report(options, "client", VerifyClient(bundle(), certificate, chain, options));
    }

    /// <summary>
    /// Client side: the server certificate must chain to the bundle, carry serverAuth and match
    /// <paramref name="expectedHostName"/> (default: the SslStream's target host) by DNS or IP SAN.
    /// </summary>
    public static RemoteCertificateValidationCallback ServerCertificateValidator(Func<TrustBundle> bundle, string? expectedHostName = null, TlsValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new();
        return (sender, certificate, chain, _) =>
        {
            var host = expectedHostName ?? (sender as SslStream)?.TargetHostName;
            return Report(options, "server", VerifyServer(bundle(), certificate, chain, host, options));
        };
    }

    /// <summary>Server options for a mutual-TLS listener (TLS 1.2+, client certificate required, no revocation download).</summary>
    public static SslServerAuthenticationOptions MutualTlsServerOptions(X509Certificate2 serverCertificate, Func<TrustBundle> bundle, TlsValidationOptions? options = null) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(serverCertificate, additionalCertificates: null, offline: true),
        ClientCertificateRequired = true,
        RemoteCertificateValidationCallback = ClientCertificateValidator(bundle, options),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    };

    /// <summary>
    /// As above, but the server certificate is read on every handshake, so a renewed or re-issued certificate (after a
    /// CA rotation) is served without restarting the listener.
    /// </summary>
    public static SslServerAuthenticationOptions MutualTlsServerOptions(Func<X509Certificate2> serverCertificate, Func<TrustBundle> bundle, TlsValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serverCertificate);
        return new()
        {
            ServerCertificateSelectionCallback = (_, _) => serverCertificate(),
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = ClientCertificateValidator(bundle, options),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
    }

    /// <summary>Client options that present <paramref name="clientCertificate"/> (if any) and pin trust to the bundle.</summary>
    public static SslClientAuthenticationOptions MutualTlsClientOptions(string targetHost, X509Certificate2? clientCertificate, Func<TrustBundle> bundle, TlsValidationOptions? options = null) => new()
    {
        TargetHost = targetHost,
        ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
        // Always offer our certificate: the server may not send acceptable CA names, and the choice is not the client's to make.
        LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
        RemoteCertificateValidationCallback = ServerCertificateValidator(bundle, targetHost, options),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    };

    private static ChainVerificationResult VerifyClient(TrustBundle bundle, X509Certificate? certificate, X509Chain? chain, TlsValidationOptions options)
    {
        if (certificate is null)
            return ChainVerificationResult.Fail(ChainFailure.NoCertificate, "The client presented no certificate.");
        var leaf = AsCertificate2(certificate);
        var result = bundle.Verify(leaf, CertificateUsage.ClientAuth, options.TimeProvider.GetUtcNow(), Intermediates(chain), options.IsRevoked);
        if (result.IsTrusted && options.RequirePlaneIdentity && !PlaneIdentity.TryFromCertificate(leaf, out _, out var error))
            return ChainVerificationResult.Fail(ChainFailure.MissingIdentity, error);
        return result;
    }

    private static ChainVerificationResult VerifyServer(TrustBundle bundle, X509Certificate? certificate, X509Chain? chain, string? host, TlsValidationOptions options)
    {
        if (certificate is null)
            return ChainVerificationResult.Fail(ChainFailure.NoCertificate, "The server presented no certificate.");
        if (string.IsNullOrEmpty(host))
            return ChainVerificationResult.Fail(ChainFailure.NameMismatch, "No expected host name is set, so the server certificate cannot be matched.");
        var leaf = AsCertificate2(certificate);
        var result = bundle.Verify(leaf, CertificateUsage.ServerAuth, options.TimeProvider.GetUtcNow(), Intermediates(chain), options.IsRevoked);
        if (result.IsTrusted && !leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false))
            return ChainVerificationResult.Fail(ChainFailure.NameMismatch, $"The server certificate '{leaf.Subject}' is not valid for '{host}'.");
        return result;
    }

    /// <summary>The extra certificates the peer sent, which SslStream places in the chain's extra store.</summary>
    private static X509Certificate2Collection? Intermediates(X509Chain? chain) => chain?.ChainPolicy.ExtraStore;

    private static X509Certificate2 AsCertificate2(X509Certificate certificate) =>
        certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());

    private static bool Report(TlsValidationOptions options, string peer, ChainVerificationResult result)
    {
        if (result.IsTrusted) return true;
        if (options.Logger is { } logger) PkiLog.CertificateRefused(logger, peer, result.Failure, result.Message);
        options.OnRefused?.Invoke(result);
        return false;
    }
}
