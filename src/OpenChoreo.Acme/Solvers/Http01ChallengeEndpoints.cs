using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OpenChoreo.Acme;

/// <summary>
/// Serves <c>/.well-known/acme-challenge/{token}</c> from an <see cref="Http01ChallengeStore"/>, either as an endpoint
/// (<see cref="MapAcmeHttp01Challenges"/>) or as middleware in front of a proxy pipeline (<see cref="UseAcmeHttp01Challenges"/>).
/// Mount it on the plain-HTTP (port 80) listener of the control-plane ingress or the data-plane gateway.
/// </summary>
public static class Http01ChallengeEndpoints
{
    public const string PathPrefix = "/.well-known/acme-challenge/";

    public static IEndpointConventionBuilder MapAcmeHttp01Challenges(this IEndpointRouteBuilder endpoints, Http01ChallengeStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return endpoints.MapGet(PathPrefix + "{token}", (HttpContext context, string token) => WriteAsync(context, store, token));
    }

    /// <summary>Answers challenge requests before the rest of the pipeline; everything else passes through.</summary>
    public static IApplicationBuilder UseAcmeHttp01Challenges(this IApplicationBuilder app, Http01ChallengeStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value;
            if (path is not null && path.StartsWith(PathPrefix, StringComparison.Ordinal)
                && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
            {
                await WriteAsync(context, store, path[PathPrefix.Length..]).ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
    }

    private static Task WriteAsync(HttpContext context, Http01ChallengeStore store, string token)
    {
        if (!store.TryGet(token, out var keyAuthorization))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(keyAuthorization);
    }
}
