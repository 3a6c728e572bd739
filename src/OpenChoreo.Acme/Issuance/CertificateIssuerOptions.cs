using Microsoft.Extensions.Logging;
using OpenChoreo.Pki;

namespace OpenChoreo.Acme;

public sealed record CertificateIssuerOptions
{
    public required AcmeClientOptions Acme { get; init; }

    /// <summary>Where the ACME account key is kept (encrypted); created on first use. Not needed with <see cref="AccountKey"/>.</summary>
    public KeyStore? AccountKeyStore { get; init; }

    /// <summary>An account key the caller keeps itself (e.g. in a sealed Secret); wins over <see cref="AccountKeyStore"/>.</summary>
    public AcmeAccountKey? AccountKey { get; init; }

    /// <summary>The key store name of the account key; one per ACME server and account.</summary>
    public string AccountKeyName { get; init; } = "acme-account";

    /// <summary>Account contacts, e.g. <c>mailto:ops@example.com</c>.</summary>
    public IReadOnlyList<string> Contacts { get; init; } = [];

    /// <summary>Must be true to create an account where the server publishes terms of service.</summary>
    public bool AgreeToTermsOfService { get; init; }

    /// <summary>When a certificate is due for renewal (2/3 of its lifetime by default).</summary>
    public RenewalSchedule RenewalSchedule { get; init; } = RenewalSchedule.Default;

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>One certificate to obtain.</summary>
public sealed record CertificateIssueRequest
{
    /// <summary>The DNS names; the first non-wildcard one becomes the subject CN. At most 100 (a common CA limit).</summary>
    public required IReadOnlyList<string> DnsNames { get; init; }

    public required IChallengeSolver Solver { get; init; }

    /// <summary>The certificate's key, made locally. ECDSA P-256 by default.</summary>
    public KeySpec KeySpec { get; init; } = KeySpec.EcdsaP256;
}

public enum IssuanceStage
{
    AccountReady,
    OrderCreated,
    AuthorizationReused,
    ChallengePresented,
    AuthorizationValid,
    Finalizing,
    Issued,
}

/// <summary>A step of an issuance, for status reporting (never carries secrets).</summary>
public sealed record IssuanceProgress(IssuanceStage Stage, string Message, string? Identifier = null);

/// <summary>The outcome: the chain as PEM (leaf first) and the certificate's private key as PKCS#8 PEM.</summary>
public sealed record AcmeCertificate(string ChainPem, string PrivateKeyPem, DateTimeOffset NotBefore, DateTimeOffset NotAfter, Uri OrderUri)
{
    public override string ToString() => $"AcmeCertificate(order {OrderUri}, valid {NotBefore:O}..{NotAfter:O})";
}
