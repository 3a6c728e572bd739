using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using OpenChoreo.Pki;

namespace OpenChoreo.Gateway;

/// <summary>
/// Kestrel's <c>ClientCertificateValidation</c> for the agent listener: runs inside the TLS handshake, so a peer that
/// fails here never reaches HTTP. Accepts a certificate only when (1) it names a plane identity, (2) that plane exists
/// in the identity's organization and is not being deleted, and (3) it chains to the platform trust bundle and is bound
/// to the plane's current uid, or chains to that plane's own <c>spec.agent.clientCA</c> (trusted for that plane only).
/// </summary>
public sealed partial class PlaneCertificateValidator(PlaneDirectory planes, AgentCertificates certificates, TimeProvider time, ILogger<PlaneCertificateValidator> logger)
{
    /// <summary>Called with each refusal reason (tests and metrics).</summary>
    public event Action<string>? Refused;

    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors _)
    {
        var reason = Check(certificate, chain?.ChainPolicy.ExtraStore);
        if (reason is null) return true;
        LogRefused(logger, certificate.Subject, reason);
        Refused?.Invoke(reason);
        return false;
    }

    internal string? Check(X509Certificate2 certificate, X509Certificate2Collection? extra)
    {
        if (!PlaneIdentity.TryFromCertificate(certificate, out var identity, out var error)) return "no plane identity: " + error;
        // Cache first; a plane created a moment ago may not be cached yet, so ask the store (rare, and bounded).
        var entry = planes.Find(identity) ?? planes.LoadAsync(identity, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        if (entry is null) return $"no plane {identity} exists";
        if (entry.Deleting) return $"plane {identity} is being deleted";
        var now = time.GetUtcNow();
        var platform = certificates.Ca.TrustBundle.Verify(certificate, CertificateUsage.ClientAuth, now, extra);
        if (platform.IsTrusted)
        {
            var bound = AgentCertificates.BoundUid(certificate);
            return bound == entry.Uid ? null : $"certificate was issued for another incarnation of plane {identity} (revoked)";
        }
        if (entry.ClientCa is { } own)
        {
            var result = own.Verify(certificate, CertificateUsage.ClientAuth, now, extra);
            return result.IsTrusted ? null : $"{result.Failure}: {result.Message}";
        }
        return $"{platform.Failure}: {platform.Message}";
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "Agent certificate '{Subject}' refused in the TLS handshake: {Reason}")]
    private static partial void LogRefused(ILogger logger, string subject, string reason);
}
