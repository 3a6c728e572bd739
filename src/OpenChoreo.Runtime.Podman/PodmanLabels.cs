namespace OpenChoreo.Runtime.Podman;

/// <summary>Labels the runtime puts on every container, network and volume it owns. Never secret material.</summary>
internal static class PodmanLabels
{
    public const string Managed = "openchoreo.dev/managed-by";
    public const string ManagedValue = "openchoreo-podman";
    public const string Plane = "openchoreo.dev/plane";
    public const string Release = "openchoreo.dev/release";
    public const string Resource = "openchoreo.dev/resource";
    public const string Namespace = "openchoreo.dev/namespace";
    public const string TemplateHash = "openchoreo.dev/template-hash";
    public const string Replica = "openchoreo.dev/replica";
    public const string Role = "openchoreo.dev/role";

    /// <summary>Identity labels copied from the rendered resource (org, project, component, environment, …).</summary>
    public static readonly string[] Copied =
    [
        "openchoreo.dev/organization", "openchoreo.dev/org", "openchoreo.dev/project", "openchoreo.dev/component",
        "openchoreo.dev/environment", "openchoreo.dev/release-name", "openchoreo.dev/component-uid", "openchoreo.dev/environment-uid",
        "openchoreo.dev/project-uid",
    ];

    public static Dictionary<string, string> For(string plane, string release, string resourceId, string ns, IReadOnlyDictionary<string, string>? source)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Managed] = ManagedValue,
            [Plane] = plane,
            [Release] = release,
            [Resource] = resourceId,
            [Namespace] = ns,
        };
        if (source is not null)
            foreach (var key in Copied)
                if (source.TryGetValue(key, out var v)) labels[key] = v;
        return labels;
    }
}
