namespace OpenChoreo.Runtime.Podman;

/// <summary>Health of one resource, as the platform's health conditions name it.</summary>
public enum ResourceHealth
{
    Unknown,
    Progressing,
    Healthy,
    Degraded,
    Suspended,
    Unsupported,
}

/// <summary>What the runtime reports for one resource of a release. Messages never carry secret material.</summary>
public sealed record ResourceStatus(string Kind, string Namespace, string Name, ResourceHealth Health, string? Message = null);
