namespace OpenChoreo.Model;

/// <summary>The platform's well-known labels (upstream names).</summary>
public static class Labels
{
    public const string Organization = "openchoreo.dev/organization";
    public const string Project = "openchoreo.dev/project";
    public const string Component = "openchoreo.dev/component";
    public const string Environment = "openchoreo.dev/environment";
    public const string Name = "openchoreo.dev/name";
    public const string ManagedBy = "openchoreo.dev/managed-by";
    public const string ReleaseUid = "openchoreo.dev/release-uid";
    public const string ReleaseName = "openchoreo.dev/release-name";
    public const string ReleaseNamespace = "openchoreo.dev/release-namespace";
    public const string ReleaseResourceId = "openchoreo.dev/release-resource-id";
    public const string ComponentUid = "openchoreo.dev/component-uid";
    public const string EnvironmentUid = "openchoreo.dev/environment-uid";
    public const string ProjectUid = "openchoreo.dev/project-uid";

    /// <summary>On a Release: the DataPlane it is delivered to (the delivery side selects Releases by it).</summary>
    public const string DataPlane = "openchoreo.dev/dataplane";

    /// <summary>
    /// On a Release: the ObservabilityPlane it is delivered to, instead of <see cref="DataPlane"/> (ours: the
    /// <c>targetPlane: observabilityplane</c> resources upstream drops).
    /// </summary>
    public const string ObservabilityPlane = "openchoreo.dev/observabilityplane";
}
