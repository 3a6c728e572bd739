using Microsoft.Extensions.Logging;

namespace OpenChoreo.Pki;

/// <summary>Settings for the platform CA kept in the data directory.</summary>
public sealed record PlatformCaOptions
{
    public CertificateAuthorityOptions Authority { get; init; } = new();
    public KeyStoreOptions KeyStore { get; init; } = new();
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    public ILogger? Logger { get; init; }

    /// <summary>How long to wait for another process holding the PKI directory lock.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
