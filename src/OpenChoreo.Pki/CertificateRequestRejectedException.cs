namespace OpenChoreo.Pki;

/// <summary>Why a CSR was refused.</summary>
public enum CsrRejectionReason
{
    Malformed,
    InvalidSignature,
    UnsupportedKeyAlgorithm,
    WeakKey,
    SanNotAllowed,
    LifetimeTooLong,
}

/// <summary>A CSR the signing policy refused; the message says what to fix and never echoes key material.</summary>
public sealed class CertificateRequestRejectedException(CsrRejectionReason reason, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public CsrRejectionReason Reason { get; } = reason;
}
