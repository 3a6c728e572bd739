namespace OpenChoreo.Acme;

/// <summary>An RFC 7807 problem document as ACME servers send it (RFC 8555 section 6.7).</summary>
public sealed record AcmeProblem
{
    public const string Prefix = "urn:ietf:params:acme:error:";

    public string? Type { get; init; }
    public string? Detail { get; init; }
    public int? Status { get; init; }
    public AcmeIdentifier? Identifier { get; init; }
    public IReadOnlyList<AcmeProblem>? Subproblems { get; init; }

    /// <summary>The ACME error name without the URN prefix (<c>badNonce</c>, <c>rateLimited</c>…), or the full type otherwise.</summary>
    public string? Name => Type is { } t && t.StartsWith(Prefix, StringComparison.Ordinal) ? t[Prefix.Length..] : Type;

    public bool Is(string name) => string.Equals(Name, name, StringComparison.Ordinal);

    public override string ToString()
    {
        var text = $"{Type ?? "about:blank"}: {Detail ?? "(no detail)"}";
        if (Identifier is { } id) text = $"{id.Value}: {text}";
        if (Subproblems is { Count: > 0 } subs) text += " [" + string.Join("; ", subs.Select(s => s.ToString())) + "]";
        return text;
    }
}

/// <summary>The error names of RFC 8555 section 6.7 that the client acts on.</summary>
public static class AcmeErrors
{
    public const string BadNonce = "badNonce";
    public const string RateLimited = "rateLimited";
    public const string AccountDoesNotExist = "accountDoesNotExist";
    public const string Unauthorized = "unauthorized";
    public const string Malformed = "malformed";
}
