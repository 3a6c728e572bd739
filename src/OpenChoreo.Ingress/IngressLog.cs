using Microsoft.Extensions.Logging;

namespace OpenChoreo.Ingress;

internal static partial class IngressLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Ingress gateway listening on {Endpoints} for *.{AppsDomain}")]
    public static partial void Listening(ILogger logger, string endpoints, string appsDomain);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Ingress routes updated: revision {Revision}, {Routes} routes, {Clusters} backends groups, {Rejected} rejected")]
    public static partial void RoutesUpdated(ILogger logger, long revision, int routes, int clusters, int rejected);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "HTTPRoute {Namespace}/{Route} of release {Release}: {Problem}; that part is not served")]
    public static partial void RouteRejected(ILogger logger, string release, string @namespace, string route, string problem);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Could not rebuild the ingress routes; the previous ones stay in use")]
    public static partial void RebuildFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "The proxy refused the ingress configuration; the previous one stays in use")]
    public static partial void ApplyFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "{Method} {Host} {Status} {ElapsedMs:0.0}ms component={Component} environment={Environment} route={Route}")]
    public static partial void Access(ILogger logger, string method, string host, int status, double elapsedMs, string component, string environment, string route);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Information, Message = "Ingress certificate for {Pattern} replaced; it expires {NotAfter:u}")]
    public static partial void CertificateSet(ILogger logger, string pattern, DateTime notAfter);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Error, Message = "Could not renew the ingress certificate; the current one stays in use")]
    public static partial void CertificateRenewFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Warning, Message = "TLS handshake for server name {ServerName} refused: no certificate covers it")]
    public static partial void NoCertificate(ILogger logger, string serverName);
}
