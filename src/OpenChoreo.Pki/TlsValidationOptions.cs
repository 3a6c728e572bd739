using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OpenChoreo.Pki;

/// <summary>Settings shared by the handshake validators in <see cref="TlsPolicies"/>.</summary>
public sealed record TlsValidationOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    public ILogger? Logger { get; init; }

    /// <summary>A deny-list check (e.g. serials of deleted planes); true refuses the certificate.</summary>
    public Func<X509Certificate2, bool>? IsRevoked { get; init; }

    /// <summary>Server side: also require a valid <see cref="PlaneIdentity"/> URI SAN in the client certificate.</summary>
    public bool RequirePlaneIdentity { get; init; }

    /// <summary>Called with every refusal (after logging): lets callers surface the reason, e.g. in metrics or tests.</summary>
    public Action<ChainVerificationResult>? OnRefused { get; init; }
}
