using OpenChoreo.Pki;

namespace OpenChoreo.Acme;

/// <summary>How to reach an ACME server and how patiently to wait on it.</summary>
public sealed record AcmeClientOptions
{
    public const int DefaultMaxResponseBytes = 1024 * 1024;

    /// <summary>The directory URL, e.g. <c>https://acme-v02.api.letsencrypt.org/directory</c>. Must be https.</summary>
    public required Uri DirectoryUri { get; init; }

    /// <summary>When set, the server's TLS certificate must chain to these roots (a private ACME CA such as pebble);
    /// when null the system store decides. Verification is never turned off.</summary>
    public TrustBundle? TrustBundle { get; init; }

    /// <summary>A handler of the caller's own (proxy, metrics…). It then owns TLS verification, and
    /// <see cref="TrustBundle"/> must be null.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Adjusts the default handler (connection limits, proxy) before use.</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; init; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response body read (directory, order, certificate chain…).</summary>
    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    /// <summary>How often a rejected nonce is retried with a fresh one before giving up.</summary>
    public int MaxBadNonceRetries { get; init; } = 5;

    /// <summary>How often a request that failed in transport (refused, reset, timeout, 5xx) is retried.</summary>
    public int MaxTransportRetries { get; init; } = 2;

    /// <summary>Delay before the first transport retry; doubled each time.</summary>
    public TimeSpan TransportRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>First polling delay when the server sends no Retry-After; doubled up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an authorization or order may take to reach a final state.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(DirectoryUri);
        if (!DirectoryUri.IsAbsoluteUri || DirectoryUri.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"AcmeClientOptions.DirectoryUri must be an absolute https URL, got '{DirectoryUri}'.", nameof(DirectoryUri));
        if (Handler is not null && (TrustBundle is not null || ConfigureHandler is not null))
            throw new ArgumentException("AcmeClientOptions.Handler cannot be combined with TrustBundle or ConfigureHandler: the supplied handler owns TLS.", nameof(Handler));
        if (TrustBundle is { Authorities.Count: 0 })
            throw new ArgumentException("AcmeClientOptions.TrustBundle is empty: give the ACME server's CA or leave it null to use the system store.", nameof(TrustBundle));
        Positive(RequestTimeout, nameof(RequestTimeout));
        Positive(PollInterval, nameof(PollInterval));
        Positive(MaxPollInterval, nameof(MaxPollInterval));
        Positive(PollTimeout, nameof(PollTimeout));
        if (TransportRetryDelay < TimeSpan.Zero) throw new ArgumentException("AcmeClientOptions.TransportRetryDelay must not be negative.", nameof(TransportRetryDelay));
        if (MaxResponseBytes is < 4096 or > 64 * 1024 * 1024)
            throw new ArgumentException("AcmeClientOptions.MaxResponseBytes must be between 4 KiB and 64 MiB.", nameof(MaxResponseBytes));
        if (MaxBadNonceRetries is < 0 or > 20) throw new ArgumentException("AcmeClientOptions.MaxBadNonceRetries must be between 0 and 20.", nameof(MaxBadNonceRetries));
        if (MaxTransportRetries is < 0 or > 10) throw new ArgumentException("AcmeClientOptions.MaxTransportRetries must be between 0 and 10.", nameof(MaxTransportRetries));
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentException($"AcmeClientOptions.{name} must be positive.", name);
    }
}
