using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenChoreo.Model;
using OpenChoreo.Pki;

namespace OpenChoreo.Acme;

/// <summary>
/// Obtains a certificate end to end: account (created or found), order, authorizations (reusing valid ones), challenges
/// through the chosen solver, finalize with a locally made key, chain download.
/// </summary>
public sealed class CertificateIssuer
{
    public const int MaxNames = 100;

    private readonly CertificateIssuerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public CertificateIssuer(CertificateIssuerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Acme);
        if (options.AccountKeyStore is null && options.AccountKey is null)
            throw new ArgumentException("CertificateIssuerOptions needs an AccountKey or an AccountKeyStore.", nameof(options));
        options.Acme.Validate();
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<CertificateIssuer>() ?? (ILogger)NullLogger.Instance;
        _time = options.Acme.TimeProvider;
    }

    /// <summary>Whether <paramref name="certificate"/> is due for renewal under the configured schedule.</summary>
    public bool NeedsRenewal(X509Certificate2 certificate) => _options.RenewalSchedule.NeedsRenewal(certificate, _time);

    /// <summary>Checks names and solver without contacting the server: HTTP-01 cannot serve a wildcard.</summary>
    public static void EnsureSolvable(IReadOnlyList<string> dnsNames, IChallengeSolver solver)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(solver);
        if (dnsNames.Count == 0) throw new ArgumentException("At least one DNS name is required.", nameof(dnsNames));
        if (dnsNames.Count > MaxNames) throw new ArgumentException($"At most {MaxNames} DNS names fit in one certificate.", nameof(dnsNames));
        foreach (var name in dnsNames)
        {
            var wildcard = name.StartsWith("*.", StringComparison.Ordinal);
            var bare = wildcard ? name[2..] : name;
            if (bare.Length > 253 || !bare.Contains('.') || !bare.Split('.').All(Names.IsDns1123Label))
                throw new ArgumentException($"'{name}' is not a valid DNS name for a certificate (lowercase DNS labels, at least two, optional leading '*.').", nameof(dnsNames));
            if (wildcard && solver.ChallengeType == AcmeChallengeTypes.Http01)
                throw new UnsupportedChallengeException(Http01Wildcard.Message(name));
        }
    }

    public async Task<AcmeCertificate> IssueAsync(CertificateIssueRequest request, IProgress<IssuanceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureSolvable(request.DnsNames, request.Solver);

        using var client = new AcmeClient(_options.Acme, LoadOrCreateAccountKey(), _options.LoggerFactory?.CreateLogger<AcmeClient>());
        var account = await client.FindAccountAsync(cancellationToken).ConfigureAwait(false)
            ?? await client.CreateAccountAsync(_options.Contacts, _options.AgreeToTermsOfService, cancellationToken).ConfigureAwait(false);
        progress?.Report(new(IssuanceStage.AccountReady, $"ACME account {account.Location}"));

        var order = await client.NewOrderAsync(request.DnsNames, cancellationToken).ConfigureAwait(false);
        progress?.Report(new(IssuanceStage.OrderCreated, $"Order {order.Location} for {string.Join(", ", request.DnsNames)}"));

        if (order.Status is AcmeStatus.Pending or AcmeStatus.Ready)
        {
            // A ready order still lists its (reused) authorizations: walking them reports the reuse.
            await AuthorizeAsync(client, order, request.Solver, progress, cancellationToken).ConfigureAwait(false);
            if (order.Status == AcmeStatus.Pending)
                order = await client.WaitForOrderAsync(order.Location, AcmeStatus.Ready, cancellationToken).ConfigureAwait(false);
        }
        else if (order.Status == AcmeStatus.Invalid)
        {
            throw new AcmeProblemException(order.Error ?? new AcmeProblem { Detail = "the new order is already invalid" }, null, "The order failed");
        }

        using var key = CreateKey(request.KeySpec);
        progress?.Report(new(IssuanceStage.Finalizing, "Finalizing the order with a new " + request.KeySpec + " key"));
        if (order.Status != AcmeStatus.Valid)
            order = await client.FinalizeAsync(order, BuildCsr(request.DnsNames, key), cancellationToken).ConfigureAwait(false);
        var chainPem = await client.DownloadCertificateAsync(order.Certificate
            ?? throw new AcmeException($"The order {order.Location} is valid but names no certificate URL."), cancellationToken).ConfigureAwait(false);

        using var leaf = Pem.ReadCertificate(chainPem);
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        AcmeLog.CertificateIssued(_logger, string.Join(",", request.DnsNames), notAfter);
        progress?.Report(new(IssuanceStage.Issued, $"Certificate issued, valid until {notAfter.ToString("O", CultureInfo.InvariantCulture)}"));
        return new AcmeCertificate(chainPem, Pem.WritePrivateKey(key), new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero), notAfter, order.Location);
    }

    private async Task AuthorizeAsync(AcmeClient client, AcmeOrder order, IChallengeSolver solver, IProgress<IssuanceProgress>? progress, CancellationToken cancellationToken)
    {
        var presented = new List<(ChallengeRequest Request, AcmeChallenge Challenge, AcmeAuthorization Authz)>();
        try
        {
            foreach (var url in order.Authorizations)
            {
                var authz = await client.GetAuthorizationAsync(url, cancellationToken).ConfigureAwait(false);
                var shown = (authz.Wildcard ? "*." : "") + authz.Identifier.Value;
                if (authz.Status == AcmeStatus.Valid)
                {
                    // Servers reuse recent validations (pebble half of the time): nothing to prove.
                    AcmeLog.AuthorizationReused(_logger, shown);
                    progress?.Report(new(IssuanceStage.AuthorizationReused, $"Authorization for {shown} is already valid", shown));
                    continue;
                }
                if (authz.Status != AcmeStatus.Pending)
                    throw new AcmeProblemException(new AcmeProblem { Type = AcmeProblem.Prefix + "unauthorized", Detail = $"the authorization is '{authz.Status}'", Identifier = authz.Identifier },
                        null, $"Cannot authorize {shown}");
                var challenge = authz.Challenges.FirstOrDefault(c => c.Type == solver.ChallengeType && c.Token is not null)
                    ?? throw new UnsupportedChallengeException($"The ACME server offers no {solver.ChallengeType} challenge for {shown} (offered: {string.Join(", ", authz.Challenges.Select(c => c.Type))}).");
                var challengeRequest = new ChallengeRequest(authz.Identifier.Value, challenge.Token!, client.KeyAuthorization(challenge.Token!), authz.Wildcard);
                AcmeLog.ChallengePresented(_logger, solver.ChallengeType, shown);
                presented.Add((challengeRequest, challenge, authz));
                await solver.PresentAsync(challengeRequest, cancellationToken).ConfigureAwait(false);
                progress?.Report(new(IssuanceStage.ChallengePresented, $"{solver.ChallengeType} answer for {shown} published", shown));
            }
            foreach (var (_, challenge, _) in presented)
                await client.RespondToChallengeAsync(challenge.Url, cancellationToken).ConfigureAwait(false);
            foreach (var (req, _, authz) in presented)
            {
                await client.WaitForAuthorizationAsync(authz.Location, cancellationToken).ConfigureAwait(false);
                progress?.Report(new(IssuanceStage.AuthorizationValid, $"{req} validated", req.ToString()));
            }
        }
        finally
        {
            foreach (var (req, _, _) in presented)
            {
                try
                {
                    await solver.CleanupAsync(req, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AcmeException or IOException or HttpRequestException)
                {
                    AcmeLog.CleanupFailed(_logger, solver.ChallengeType, req.ToString(), ex);
                }
            }
        }
    }

    private AcmeAccountKey LoadOrCreateAccountKey()
    {
        if (_options.AccountKey is { } given) return given;
        var store = _options.AccountKeyStore!;
        if (store.HasPrivateKey(_options.AccountKeyName))
        {
            var loaded = store.LoadPrivateKey(_options.AccountKeyName);
            return loaded is ECDsa ec ? new AcmeAccountKey(ec)
                : throw new AcmeException($"The ACME account key '{_options.AccountKeyName}' is not an ECDSA P-256 key.");
        }
        var key = AcmeAccountKey.Generate();
        store.SavePrivateKey(_options.AccountKeyName, key.Key);
        return key;
    }

    private static AsymmetricAlgorithm CreateKey(KeySpec spec) => spec switch
    {
        KeySpec.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        KeySpec.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        KeySpec.Rsa2048 => RSA.Create(2048),
        KeySpec.Rsa3072 => RSA.Create(3072),
        KeySpec.Rsa4096 => RSA.Create(4096),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown key spec"),
    };

    internal static byte[] BuildCsr(IReadOnlyList<string> dnsNames, AsymmetricAlgorithm key)
    {
        var cn = dnsNames.FirstOrDefault(n => !n.StartsWith("*.", StringComparison.Ordinal) && n.Length <= 64);
        var subject = new X500DistinguishedName(cn is null ? "" : "CN=" + cn);
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, ec.KeySize >= 384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException(),
        };
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }
}
