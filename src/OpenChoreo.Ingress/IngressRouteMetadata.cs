namespace OpenChoreo.Ingress;

/// <summary>Keys of the YARP route metadata the gateway's own transforms and access log read.</summary>
internal static class IngressRouteMetadata
{
    public const string MatchPrefix = "oc.matchPrefix";
    public const string ReplacePrefix = "oc.replacePrefix";
    public const string ReplaceFullPath = "oc.replaceFullPath";
    public const string RewriteHost = "oc.rewriteHost";
    public const string Component = "oc.component";
    public const string Environment = "oc.environment";
    public const string Route = "oc.route";
}
