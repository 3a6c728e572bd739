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
    public const string DataPlane = "openchoreo.dev/dataplane";
}
