namespace OpenChoreo.Pki;

/// <summary>Where the key store lives and which master key encrypts its private keys.</summary>
public sealed record KeyStoreOptions
{
    /// <summary>The environment variable that supplies a base64 32-byte master key in production.</summary>
    public const string MasterKeyEnvironmentVariable = "OPENCHOREO_PKI_MASTER_KEY";

    /// <summary>A 32-byte AES-256 key supplied by configuration. When null, <see cref="MasterKeyEnvironmentVariable"/> is
    /// read, and failing that a random key is created in <c>master.key</c> (mode 0600) on first use.</summary>
    public byte[]? MasterKey { get; init; }

    /// <summary>Whether to consult <see cref="MasterKeyEnvironmentVariable"/> (tests turn this off).</summary>
    public bool ReadEnvironment { get; init; } = true;

    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }
}
