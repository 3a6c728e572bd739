using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenChoreo.Tunnel.Enrollment;

/// <summary>Answer of the join-token route (what <c>occ plane join-token</c> prints).</summary>
public sealed record JoinTokenResponse(string Token, DateTimeOffset ExpiresAt, string CaFingerprint, string Namespace, string PlaneType, string PlaneName);

/// <summary>What an agent sends to enroll: its identity, the join token and a CSR for its own key.</summary>
public sealed record EnrollRequest(string Namespace, string PlaneType, string PlaneName, string JoinToken, string CsrPem);

/// <summary>Where enrollment happens, relative to the API URL.</summary>
public static class EnrollmentPaths
{
    public const string Enroll = "/api/v1/agent/enroll";

    /// <summary>Anonymous: the platform trust bundle in PEM (public information), checked by the agent against its pin.</summary>
    public const string TrustBundle = "/api/v1/agent/trust-bundle";
    public const int MaxRequestBytes = 32 * 1024;

    public static string JoinToken(string ns, string planeType, string name) => $"/api/v1/namespaces/{ns}/planes/{planeType}/{name}/join-token";
}

/// <summary>The signed chain (leaf first) and the CA bundle the agent must trust from now on.</summary>
public sealed record EnrollResponse(string CertificateChainPem, string TrustBundlePem);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JoinTokenResponse))]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollResponse))]
public sealed partial class EnrollmentJson : JsonSerializerContext;
