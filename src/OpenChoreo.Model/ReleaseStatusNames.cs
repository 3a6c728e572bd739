namespace OpenChoreo.Model;

/// <summary>
/// Names in a Release's status shared by the release controller (leader only) and release delivery (every gateway
/// replica): the finalizer, the condition types and their reasons.
/// </summary>
public static class ReleaseStatusNames
{
    /// <summary>Held until the plane's agent confirmed the release is gone, or the plane itself is gone.</summary>
    public const string Finalizer = "openchoreo.dev/dataplane-cleanup";

    public const string Ready = "Ready";

    /// <summary>Present only while a Release is being deleted.</summary>
    public const string Finalizing = "Finalizing";

    // Ready reasons.
    public const string Delivered = "Delivered";
    public const string Progressing = "Progressing";
    public const string Degraded = "Degraded";
    public const string Suspended = "Suspended";
    public const string HealthUnknown = "HealthUnknown";
    public const string AgentDisconnected = "AgentDisconnected";
    public const string DataPlaneNotFound = "DataPlaneNotFound";

    /// <summary>Ours: the ObservabilityPlane an observability Release is labelled with does not exist.</summary>
    public const string ObservabilityPlaneNotFound = "ObservabilityPlaneNotFound";
    public const string Orphaned = "Orphaned";

    // Finalizing reasons.
    /// <summary>Written by the replica holding the agent's connection once the agent no longer holds the release.</summary>
    public const string Removed = "Removed";
    public const string WaitingForAgent = "WaitingForAgent";

    /// <summary>The health values of <c>status.resources[].healthStatus</c> (upstream's set).</summary>
    public static readonly IReadOnlySet<string> HealthValues = new HashSet<string>(StringComparer.Ordinal)
    {
        "Unknown", "Progressing", "Healthy", "Suspended", "Degraded",
    };
}
