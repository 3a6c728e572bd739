using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace OpenChoreo.Ingress;

/// <summary>Per-route request transforms: keep the client's Host (as Kubernetes gateways do), X-Forwarded-* (YARP
/// defaults, replacing whatever the client sent), and the HTTPRoute URLRewrite filter.</summary>
internal static class IngressTransforms
{
    public static void Apply(TransformBuilderContext ctx)
    {
        var md = ctx.Route.Metadata;
        ctx.AddOriginalHost(useOriginal: true);
        if (md is null) return;
        if (md.TryGetValue(IngressRouteMetadata.RewriteHost, out var host))
            ctx.AddRequestTransform(tc =>
            {
                tc.ProxyRequest.Headers.Host = host;
                return ValueTask.CompletedTask;
            });
        if (md.TryGetValue(IngressRouteMetadata.ReplacePrefix, out var to) && md.TryGetValue(IngressRouteMetadata.MatchPrefix, out var from))
            ctx.AddRequestTransform(tc =>
            {
                tc.Path = ReplacePrefix(tc.Path.Value ?? "/", from, to);
                return ValueTask.CompletedTask;
            });
        else if (md.TryGetValue(IngressRouteMetadata.ReplaceFullPath, out var full))
            ctx.AddRequestTransform(tc =>
            {
                tc.Path = full;
                return ValueTask.CompletedTask;
            });
    }

    /// <summary>Gateway API ReplacePrefixMatch: <paramref name="from"/> (a matched prefix, at a segment boundary) becomes
    /// <paramref name="to"/>; "/api" → "/" maps "/api/x" to "/x" and "/api" to "/".</summary>
    internal static string ReplacePrefix(string path, string from, string to)
    {
        var rest = from == "/" ? path : path.Length >= from.Length ? path[from.Length..] : "";
        if (to.EndsWith('/') && rest.StartsWith('/')) rest = rest[1..];
        var result = to + rest;
        return result.Length == 0 ? "/" : result;
    }
}
