namespace OpenChoreo.Controllers;

/// <summary>
/// Condition types and reasons of a ReleaseBinding. The upstream reasons keep their upstream names; the ones marked
/// "ours" cover states upstream does not have (spec.state, teardown, missing owners).
/// </summary>
public static class ReleaseBindingReasons
{
    public const string ReleaseSynced = "ReleaseSynced";
    public const string ResourcesReady = "ResourcesReady";
    public const string Ready = "Ready";

    // ReleaseSynced
    public const string ReleaseCreated = "ReleaseCreated";
    public const string ComponentReleaseNotFound = "ComponentReleaseNotFound";
    public const string EnvironmentNotFound = "EnvironmentNotFound";
    public const string DataPlaneNotFound = "DataPlaneNotFound";
    public const string DataPlaneNotConfigured = "DataPlaneNotConfigured";
    public const string RenderingFailed = "RenderingFailed";
    public const string ReleaseOwnershipConflict = "ReleaseOwnershipConflict";

    /// <summary>Ours: the binding's spec.owner names no existing Component / Project (their uids feed the render).</summary>
    public const string ComponentNotFound = "ComponentNotFound";
    public const string ProjectNotFound = "ProjectNotFound";

    /// <summary>Ours: spec.releaseName names another component's ComponentRelease.</summary>
    public const string ComponentReleaseMismatch = "ComponentReleaseMismatch";

    /// <summary>Ours: the Environment is being deleted; no new Release is made for it.</summary>
    public const string EnvironmentDeleting = "EnvironmentDeleting";

    /// <summary>Ours: the previous Release is still being removed from the plane; a new one follows once it is gone.</summary>
    public const string ReleaseDeleting = "ReleaseDeleting";

    /// <summary>Ours: spec.state is Undeploy.</summary>
    public const string Undeployed = "Undeployed";

    /// <summary>
    /// Ours: condition type about the Release of the observability-plane resources (present only while the render
    /// has some). Reasons: ReleaseCreated / ReleaseSynced, ObservabilityPlaneNotConfigured, ObservabilityPlaneNotFound,
    /// ReleaseOwnershipConflict, ReleaseDeleting.
    /// </summary>
    public const string ObservabilityReleaseSynced = "ObservabilityReleaseSynced";

    /// <summary>Ours: the DataPlane has no spec.observabilityPlaneRef while the render has observability-plane resources.</summary>
    public const string ObservabilityPlaneNotConfigured = "ObservabilityPlaneNotConfigured";

    /// <summary>Ours: the DataPlane's spec.observabilityPlaneRef names no existing ObservabilityPlane.</summary>
    public const string ObservabilityPlaneNotFound = "ObservabilityPlaneNotFound";

    // ResourcesReady
    public const string ResourcesProgressing = "ResourcesProgressing";
    public const string ResourcesDegraded = "ResourcesDegraded";
    public const string ReadyWithSuspendedResources = "ReadyWithSuspendedResources";
    public const string JobCompleted = "JobCompleted";
    public const string JobRunning = "JobRunning";
    public const string JobFailed = "JobFailed";
    public const string CronJobScheduled = "CronJobScheduled";
    public const string CronJobSuspended = "CronJobSuspended";

    /// <summary>Ours: no Release exists for the binding (yet).</summary>
    public const string ReleaseNotCreated = "ReleaseNotCreated";

    // Ready
    /// <summary>Ours: spec.state is Suspend and the plane reports the workload scaled down / suspended.</summary>
    public const string Suspended = "Suspended";
}

/// <summary>Values of <c>ReleaseBinding.spec.state</c> (our extension; absent means Active).</summary>
public static class ReleaseStates
{
    public const string Active = "Active";
    public const string Suspend = "Suspend";
    public const string Undeploy = "Undeploy";
}
