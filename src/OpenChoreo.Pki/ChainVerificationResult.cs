using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>Why a presented certificate was not accepted.</summary>
public enum ChainFailure
{
    None,
    NoCertificate,
    Expired,
    NotYetValid,
    UntrustedRoot,
    WrongUsage,
    NotALeaf,
    Revoked,
    NameMismatch,
    MissingIdentity,
    Invalid,
}

/// <summary>The outcome of verifying a presented certificate against a <see cref="TrustBundle"/>.</summary>
public sealed record ChainVerificationResult(ChainFailure Failure, string Message, X509Certificate2? Root = null)
{
    public bool IsTrusted => Failure == ChainFailure.None;

    internal static ChainVerificationResult Trusted(X509Certificate2 root) => new(ChainFailure.None, "trusted", root);

    internal static ChainVerificationResult Fail(ChainFailure failure, string message) => new(failure, message);

    public override string ToString() => IsTrusted ? "trusted" : $"{Failure}: {Message}";
}
