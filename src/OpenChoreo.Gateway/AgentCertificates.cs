using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Pki;

namespace OpenChoreo.Gateway;

/// <summary>
/// Signs agent CSRs with the platform CA. Each certificate is bound to the plane resource's uid (subject
/// <c>O=plane-uid:&lt;uid&gt;</c>): deleting the plane, or deleting and recreating one with the same name, makes every
/// certificate issued before unusable at once, without a revocation list to distribute.
/// </summary>
public sealed class AgentCertificates(PlatformCa ca, TimeSpan lifetime)
{
    public const string UidPrefix = "plane-uid:";
    private const string OrganizationOid = "2.5.4.10";

    public PlatformCa Ca => ca;

    public IssuedCertificate Sign(string csrPem, PlaneIdentity identity, string planeUid) =>
        ca.Issuer.SignRequest(csrPem, SigningPolicy.ForPlaneAgent(identity, lifetime) with { Organization = UidPrefix + planeUid });

    /// <summary>The plane uid a platform-issued agent certificate is bound to, or null.</summary>
    public static string? BoundUid(X509Certificate2 certificate)
    {
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements || rdn.GetSingleElementType().Value != OrganizationOid) continue;
            string? value;
            try { value = rdn.GetSingleElementValue(); }
            catch (AsnContentException) { return null; }
            if (value is not null && value.StartsWith(UidPrefix, StringComparison.Ordinal)) return value[UidPrefix.Length..];
        }
        return null;
    }
}
