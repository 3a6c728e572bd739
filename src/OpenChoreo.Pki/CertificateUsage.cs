namespace OpenChoreo.Pki;

/// <summary>What a leaf certificate may be used for (its extended key usages).</summary>
[Flags]
public enum CertificateUsage
{
    ServerAuth = 1,
    ClientAuth = 2,
    ServerAndClientAuth = ServerAuth | ClientAuth,
}
