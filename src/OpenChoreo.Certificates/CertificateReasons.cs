namespace OpenChoreo.Certificates;

/// <summary>Reasons of the Ready condition of Certificates and issuers (stable strings: tests and users match on them).</summary>
public static class CertificateReasons
{
    public const string Issued = "Issued";
    public const string Issuing = "Issuing";
    public const string Renewing = "Renewing";
    public const string InvalidSpec = "InvalidSpec";
    public const string IssuerNotFound = "IssuerNotFound";
    public const string IssuerNotReady = "IssuerNotReady";
    public const string AcmeServerUnavailable = "AcmeServerUnavailable";
    /// <summary>The request cannot work as configured (a wildcard over HTTP-01): refused before any ACME traffic.</summary>
    public const string Refused = "Refused";
    /// <summary>The ACME server answered a problem; the message starts with its urn:ietf:params:acme:error:* type.</summary>
    public const string AcmeError = "AcmeError";
    /// <summary>A DNS update or DNS provider call failed.</summary>
    public const string ChallengeFailed = "ChallengeFailed";
    public const string SecretNotFound = "SecretNotFound";
    public const string InvalidKeyPair = "InvalidKeyPair";

    // Issuer / ClusterIssuer
    public const string AccountRegistered = "AccountRegistered";
    public const string KeyPairReady = "KeyPairReady";
    public const string SelfSigned = "SelfSigned";
}
