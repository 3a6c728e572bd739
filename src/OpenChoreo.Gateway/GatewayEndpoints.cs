using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Tunnel.Enrollment;

namespace OpenChoreo.Gateway;

/// <summary>The API routes of enrollment, mapped onto the control plane's API server (not the agent listener).</summary>
public static class GatewayEndpoints
{
    public const string EnrollPath = "/api/v1/agent/enroll";
    public const int MaxEnrollBodyBytes = 32 * 1024;

    public static string JoinTokenPath(string ns, string planeType, string name) => $"/api/v1/namespaces/{ns}/planes/{planeType}/{name}/join-token";

    /// <summary>
    /// <c>POST /api/v1/namespaces/{ns}/planes/{planeType}/{name}/join-token</c> (authenticated by the API's bearer token
    /// middleware) and <c>POST /api/v1/agent/enroll</c> (anonymous: the join token is the credential).
    /// </summary>
    public static IEndpointRouteBuilder MapClusterGatewayApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/namespaces/{ns}/planes/{planeType}/{name}/join-token", async (string ns, string planeType, string name,
            JoinTokens tokens, AgentCertificates certificates, CancellationToken ct) =>
        {
            var identity = ParseIdentity(ns, planeType, name);
            var issued = await tokens.CreateAsync(identity, ct);
            return Results.Json(new JoinTokenResponse(issued.Token, issued.ExpiresAt, CaFingerprint.Of(certificates.Ca.Issuer.Certificate), ns, planeType, name),
                EnrollmentJson.Default.JoinTokenResponse);
        });

        app.MapGet(EnrollmentPaths.TrustBundle, (AgentCertificates certificates) =>
            Results.Text(certificates.Ca.TrustBundle.ToPem(), "application/x-pem-file")).AllowAnonymous();

        app.MapPost(EnrollPath, async (HttpContext http, JoinTokens tokens, AgentCertificates certificates, CancellationToken ct) =>
        {
            var request = await ReadAsync(http, ct);
            var identity = ParseIdentity(request.Namespace, request.PlaneType, request.PlaneName);
            var uid = await tokens.ConsumeAsync(identity, request.JoinToken, ct);
            if (uid is null)
                throw new ApiException(401, StatusReasons.Unauthorized, "the join token is invalid, expired or already used");
            IssuedCertificate issued;
            try
            {
                issued = certificates.Sign(request.CsrPem, identity, uid);
            }
            catch (CertificateRequestRejectedException e)
            {
                throw new ApiException(400, StatusReasons.BadRequest, "csrPem: " + e.Message);
            }
            return Results.Json(new EnrollResponse(issued.ChainPem, certificates.Ca.TrustBundle.ToPem()), EnrollmentJson.Default.EnrollResponse);
        }).AllowAnonymous();
        return app;
    }

    private static async Task<EnrollRequest> ReadAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxEnrollBodyBytes)
            throw new ApiException(413, StatusReasons.RequestEntityTooLarge, $"the enrollment request is larger than {MaxEnrollBodyBytes} bytes");
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxEnrollBodyBytes)
                throw new ApiException(413, StatusReasons.RequestEntityTooLarge, $"the enrollment request is larger than {MaxEnrollBodyBytes} bytes");
            buffer.Write(chunk, 0, n);
        }
        try
        {
            var r = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), EnrollmentJson.Default.EnrollRequest);
            if (r is null || r.JoinToken is null || r.CsrPem is null || r.Namespace is null || r.PlaneType is null || r.PlaneName is null)
                throw new ApiException(400, StatusReasons.BadRequest, "the enrollment request needs namespace, planeType, planeName, joinToken and csrPem");
            return r;
        }
        catch (JsonException e)
        {
            throw new ApiException(400, StatusReasons.BadRequest, "the enrollment request is not valid JSON: " + e.Message);
        }
    }

    private static PlaneIdentity ParseIdentity(string ns, string planeType, string name)
    {
        try
        {
            return new PlaneIdentity(ns, planeType, name);
        }
        catch (ArgumentException e)
        {
            throw new ApiException(400, StatusReasons.BadRequest, e.Message);
        }
    }
}
