using Microsoft.AspNetCore.Http;

namespace OpenChoreo.Ingress;

/// <summary>Answers ACME HTTP-01 requests on the plain-HTTP listener (no reference to the ACME client: a delegate).</summary>
internal static class AcmeChallenge
{
    public const string PathPrefix = "/.well-known/acme-challenge/";

    /// <summary>The answer for a challenge request, or null for any other request (it goes to the routes).</summary>
    public static Task? TryAnswerAsync(HttpContext ctx, Func<string, string?> answer)
    {
        var path = ctx.Request.Path.Value;
        if (ctx.Request.IsHttps || path is null || !path.StartsWith(PathPrefix, StringComparison.Ordinal)
            || !(HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method)))
            return null;
        var token = path[PathPrefix.Length..];
        if (token.Length is 0 or > 256 || answer(token) is not { } keyAuthorization)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        ctx.Response.ContentType = "application/octet-stream";
        ctx.Response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : ctx.Response.WriteAsync(keyAuthorization);
    }
}
