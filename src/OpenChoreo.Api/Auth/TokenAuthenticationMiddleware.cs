using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenChoreo.Api.Http;
using OpenChoreo.Model;

namespace OpenChoreo.Api.Auth;

/// <summary>Every route but the health probes requires a valid bearer token; anything else is a 401.</summary>
public sealed partial class TokenAuthenticationMiddleware(RequestDelegate next, ApiTokens tokens,
    ILogger<TokenAuthenticationMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        // Only endpoints that declare it (health probes, join-token enrollment) skip the token check.
        if (ctx.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(ctx);
            return;
        }
        var header = ctx.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            await BodyCodec.WriteErrorAsync(ctx, ApiException.Unauthorized("Unauthorized: a bearer token is required"));
            return;
        }
        const string scheme = "Bearer ";
        var user = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? await tokens.AuthenticateAsync(header[scheme.Length..].Trim(), ctx.RequestAborted)
            : null;
        if (user is null)
        {
            LogRejected(logger, ctx.Connection.RemoteIpAddress?.ToString() ?? "?");
            await BodyCodec.WriteErrorAsync(ctx, ApiException.Unauthorized("Unauthorized: the bearer token is not valid"));
            return;
        }
        ctx.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "Bearer"));
        await next(ctx);
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Rejected a request with an invalid token from {Remote}")]
    private static partial void LogRejected(ILogger logger, string remote);
}
