using System.Net;

namespace OpenChoreo.Acme;

/// <summary>Where and how DNS-01 answers are written with RFC 2136 dynamic updates.</summary>
public sealed record Rfc2136Options
{
    /// <summary>The primary (authoritative) server that accepts updates for <see cref="Zone"/>.</summary>
    public required IPEndPoint Server { get; init; }

    /// <summary>The zone the records live in, e.g. <c>example.com</c>.</summary>
    public required string Zone { get; init; }

    /// <summary>The TSIG key name (as in the server's <c>key "…"</c> clause). Null sends unsigned updates, which any
    /// correctly configured server refuses; it exists for servers that authorize by address.</summary>
    public string? TsigKeyName { get; init; }

    /// <summary>The base64 HMAC-SHA256 secret (what <c>tsig-keygen -a hmac-sha256</c> prints). A secret: never logged.</summary>
    public string? TsigSecret { get; init; }

    public int Ttl { get; init; } = 60;

    /// <summary>Time for one DNS exchange.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for the authoritative server to answer the new record.</summary>
    public TimeSpan PropagationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan PropagationPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Allowed clock difference for TSIG (RFC 8945 "fudge").</summary>
    public TimeSpan TsigFudge { get; init; } = TimeSpan.FromMinutes(5);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal byte[]? Validate()
    {
        ArgumentNullException.ThrowIfNull(Server);
        if (string.IsNullOrWhiteSpace(Zone)) throw new ArgumentException("Rfc2136Options.Zone is required.", nameof(Zone));
        if (Ttl is < 1 or > 86400) throw new ArgumentException("Rfc2136Options.Ttl must be between 1 and 86400 seconds.", nameof(Ttl));
        if (QueryTimeout <= TimeSpan.Zero || PropagationTimeout <= TimeSpan.Zero || PropagationPollInterval <= TimeSpan.Zero)
            throw new ArgumentException("Rfc2136Options timeouts and intervals must be positive.");
        if (TsigKeyName is null != TsigSecret is null)
            throw new ArgumentException("Rfc2136Options.TsigKeyName and TsigSecret must be set together.", TsigKeyName is null ? nameof(TsigKeyName) : nameof(TsigSecret));
        if (TsigSecret is null) return null;
        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(TsigSecret);
        }
        catch (FormatException)
        {
            throw new ArgumentException("Rfc2136Options.TsigSecret is not valid base64.", nameof(TsigSecret));
        }
        if (secret.Length < 16) throw new ArgumentException("Rfc2136Options.TsigSecret must be at least 16 bytes (use tsig-keygen -a hmac-sha256).", nameof(TsigSecret));
        return secret;
    }
}
