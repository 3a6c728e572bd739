using System.Text.Json.Serialization;

namespace OpenChoreo.Acme;

/// <summary>The status values of RFC 8555 section 7.1.6.</summary>
public static class AcmeStatus
{
    public const string Pending = "pending";
    public const string Ready = "ready";
    public const string Processing = "processing";
    public const string Valid = "valid";
    public const string Invalid = "invalid";
    public const string Deactivated = "deactivated";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}

public sealed record AcmeIdentifier(string Type, string Value)
{
    public static AcmeIdentifier Dns(string name) => new("dns", name);
}

public sealed record AcmeDirectory
{
    public required Uri NewNonce { get; init; }
    public required Uri NewAccount { get; init; }
    public required Uri NewOrder { get; init; }
    public Uri? RevokeCert { get; init; }
    public Uri? KeyChange { get; init; }
    public AcmeDirectoryMeta? Meta { get; init; }
}

public sealed record AcmeDirectoryMeta
{
    public Uri? TermsOfService { get; init; }
    public bool? ExternalAccountRequired { get; init; }
}

public sealed record AcmeAccount
{
    public string? Status { get; init; }
    public IReadOnlyList<string>? Contact { get; init; }
    public Uri? Orders { get; init; }

    /// <summary>The account URL (the <c>kid</c> of later requests), from the Location header.</summary>
    [JsonIgnore] public Uri Location { get; init; } = null!;
}

public sealed record AcmeOrder
{
    public required string Status { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];
    public IReadOnlyList<Uri> Authorizations { get; init; } = [];
    public required Uri Finalize { get; init; }
    public Uri? Certificate { get; init; }
    public AcmeProblem? Error { get; init; }

    [JsonIgnore] public Uri Location { get; init; } = null!;
}

public sealed record AcmeAuthorization
{
    public required string Status { get; init; }
    public required AcmeIdentifier Identifier { get; init; }
    public IReadOnlyList<AcmeChallenge> Challenges { get; init; } = [];
    public bool Wildcard { get; init; }
    public DateTimeOffset? Expires { get; init; }

    [JsonIgnore] public Uri Location { get; init; } = null!;
}

public sealed record AcmeChallenge
{
    public required string Type { get; init; }
    public required Uri Url { get; init; }
    public string? Status { get; init; }
    public string? Token { get; init; }
    public DateTimeOffset? Validated { get; init; }
    public AcmeProblem? Error { get; init; }
}

/// <summary>The challenge types this library solves.</summary>
public static class AcmeChallengeTypes
{
    public const string Http01 = "http-01";
    public const string Dns01 = "dns-01";
}
