using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Model;

namespace OpenChoreo.Pki;

/// <summary>
/// The identity of a plane agent: <c>spiffe://openchoreo/ns/&lt;org&gt;/&lt;planeType&gt;/&lt;planeName&gt;</c>, carried as
/// the only URI SAN of its client certificate. Parsing is strict: exact scheme and trust domain, exactly four path
/// segments, lowercase DNS-1123 names, a known plane type, nothing else (no port, user info, query, fragment or escapes).
/// </summary>
public sealed record PlaneIdentity
{
    public const string Scheme = "spiffe";
    public const string TrustDomain = "openchoreo";
    public const int MaxUriLength = 512;

    public static readonly IReadOnlySet<string> PlaneTypes =
        new HashSet<string>(StringComparer.Ordinal) { "dataplane", "buildplane", "observabilityplane" };

    public PlaneIdentity(string organization, string planeType, string planeName)
    {
        if (Explain(organization, planeType, planeName) is { } error) throw new ArgumentException(error);
        Organization = organization;
        PlaneType = planeType;
        PlaneName = planeName;
    }

    public string Organization { get; }
    public string PlaneType { get; }
    public string PlaneName { get; }

    /// <summary>A readable subject CN for the certificate; never used for authorization.</summary>
    public string CommonName => $"{PlaneType}/{PlaneName}";

    public Uri ToUri() => new(ToString(), UriKind.Absolute);

    public override string ToString() => $"{Scheme}://{TrustDomain}/ns/{Organization}/{PlaneType}/{PlaneName}";

    public static PlaneIdentity Parse(string uri) =>
        TryParse(uri, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? uri, [NotNullWhen(true)] out PlaneIdentity? identity, [NotNullWhen(false)] out string? error)
    {
        identity = null;
        error = ExplainUri(uri, out var org, out var type, out var name);
        if (error is not null) return false;
        identity = new PlaneIdentity(org!, type!, name!);
        return true;
    }

    /// <summary>Reads the identity from a certificate: it must have exactly one URI SAN, and that must be a plane identity.</summary>
    public static bool TryFromCertificate(X509Certificate2 certificate, [NotNullWhen(true)] out PlaneIdentity? identity, [NotNullWhen(false)] out string? error)
    {
        identity = null;
        SubjectAlternativeNames sans;
        try
        {
            sans = SubjectAlternativeNames.From(certificate);
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            error = "the certificate's subjectAltName extension is malformed";
            return false;
        }
        if (sans.Uris.Count != 1)
        {
            error = $"the certificate must carry exactly one URI SAN with the plane identity, it has {sans.Uris.Count}";
            return false;
        }
        return TryParse(sans.Uris[0], out identity, out error);
    }

    public static PlaneIdentity FromCertificate(X509Certificate2 certificate) =>
        TryFromCertificate(certificate, out var id, out var error) ? id : throw new FormatException(error);

    private static string? ExplainUri(string? uri, out string? org, out string? type, out string? name)
    {
        org = type = name = null;
        if (string.IsNullOrEmpty(uri)) return "the plane identity URI is empty";
        if (uri.Length > MaxUriLength) return $"the plane identity URI is longer than {MaxUriLength} characters";
        const string prefix = $"{Scheme}://{TrustDomain}/";
        // Compare the raw text rather than a parsed Uri: Uri normalizes case, dot segments and escapes, which would
        // let two different strings map to one identity.
        if (!uri.StartsWith(prefix, StringComparison.Ordinal))
            return $"the plane identity must start with '{prefix}'";
        var parts = uri[prefix.Length..].Split('/');
        if (parts.Length != 4 || parts[0] != "ns")
            return "the plane identity must have the form spiffe://openchoreo/ns/<org>/<planeType>/<planeName>";
        (org, type, name) = (parts[1], parts[2], parts[3]);
        return Explain(org, type, name);
    }

    private static string? Explain(string? organization, string? planeType, string? planeName)
    {
        if (organization is null) return "organization: must not be null";
        if (Names.ExplainLabel(organization) is { } orgError) return $"organization: {orgError}";
        if (planeType is null || !PlaneTypes.Contains(planeType)) return $"planeType: must be one of {string.Join(", ", PlaneTypes)}";
        if (planeName is null) return "planeName: must not be null";
        if (Names.ExplainSubdomain(planeName) is { } nameError) return $"planeName: {nameError}";
        return null;
    }
}
