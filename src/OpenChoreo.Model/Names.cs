using System.Text.RegularExpressions;

namespace OpenChoreo.Model;

/// <summary>Kubernetes name rules: DNS-1123 subdomains and labels, qualified names and label values.</summary>
public static partial class Names
{
    public const int MaxSubdomainLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>A DNS-1123 subdomain: the rule for object names.</summary>
    public static bool IsDns1123Subdomain(string? s) =>
        s is { Length: > 0 and <= MaxSubdomainLength } && SubdomainRegex().IsMatch(s);

    /// <summary>A DNS-1123 label: the rule for namespaces (organizations).</summary>
    public static bool IsDns1123Label(string? s) =>
        s is { Length: > 0 and <= MaxLabelLength } && LabelRegex().IsMatch(s);

    /// <summary>Explains why a name is not a DNS-1123 subdomain, or returns null when it is one.</summary>
    public static string? ExplainSubdomain(string s) =>
        s.Length == 0 ? "must not be empty"
        : s.Length > MaxSubdomainLength ? $"must be no more than {MaxSubdomainLength} characters"
        : IsDns1123Subdomain(s) ? null
        : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    /// <summary>Explains why a name is not a DNS-1123 label, or returns null when it is one.</summary>
    public static string? ExplainLabel(string s) =>
        s.Length == 0 ? "must not be empty"
        : s.Length > MaxLabelLength ? $"must be no more than {MaxLabelLength} characters"
        : IsDns1123Label(s) ? null
        : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

    /// <summary>A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static bool IsQualifiedName(string s)
    {
        var slash = s.IndexOf('/');
        var name = s;
        if (slash >= 0)
        {
            if (!IsDns1123Subdomain(s[..slash])) return false;
            name = s[(slash + 1)..];
        }
        return name.Length is > 0 and <= MaxLabelLength && QualifiedNameRegex().IsMatch(name);
    }

    public static bool IsLabelValue(string s) =>
        s.Length == 0 || (s.Length <= MaxLabelLength && QualifiedNameRegex().IsMatch(s));

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainRegex();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelRegex();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedNameRegex();
}
