namespace OpenChoreo.Runtime.Podman;

/// <summary>Settings of the podman runtime. Validate with <see cref="Validate"/> before use.</summary>
public sealed class PodmanRuntimeOptions
{
    /// <summary>Names this runtime's objects on a shared podman: it adopts and prunes only what carries its plane id.</summary>
    public string PlaneId { get; set; } = "default";

    /// <summary>Where the runtime keeps its state (release documents, config and secret files, its own socket).</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>An existing podman API socket. Empty: the runtime starts <c>podman system service</c> on <c>DataDirectory/podman.sock</c>.</summary>
    public string? SocketPath { get; set; }

    /// <summary>The podman executable used to start the service.</summary>
    public string PodmanPath { get; set; } = "podman";

    /// <summary>A containers.conf passed as CONTAINERS_CONF to the service (needed on hosts without systemd or with cgroup v1).</summary>
    public string? ContainersConfPath { get; set; }

    /// <summary>Seconds podman waits after SIGTERM before SIGKILL when stopping a container.</summary>
    public int StopTimeoutSeconds { get; set; } = 10;

    /// <summary>How often the runtime re-checks what runs (probes, restarts, jobs).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a replaced replica keeps serving after it left the service endpoints, before it is stopped.</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>First restart delay of a crashed container; doubles per restart up to <see cref="MaxRestartBackoff"/>.</summary>
    public TimeSpan RestartBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRestartBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Restarts after which a replica counts as crash-looping (Degraded).</summary>
    public int CrashLoopRestarts { get; set; } = 3;

    /// <summary>Image of the per-Service port forwarder (must contain /bin/busybox). Built from <see cref="BusyboxPath"/> when missing.</summary>
    public string ForwarderImage { get; set; } = "localhost/openchoreo-forwarder:1";

    /// <summary>A static busybox on the host, used to build <see cref="ForwarderImage"/>.</summary>
    public string BusyboxPath { get; set; } = "/bin/busybox";

    /// <summary>Drop traffic between cells with iptables rules of the runtime's own (needs root and iptables). Off: cells
    /// rely on podman's network isolation alone and NetworkPolicies report Degraded.</summary>
    public bool CellFirewall { get; set; } = true;

    /// <summary>The iptables executable for <see cref="CellFirewall"/>.</summary>
    public string IptablesPath { get; set; } = "iptables";

    /// <summary>Lines of output quoted in a Degraded reason.</summary>
    public int ReasonLogLines { get; set; } = 5;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("PodmanRuntimeOptions.DataDirectory is required.");
        if (!Path.IsPathFullyQualified(DataDirectory)) throw new ArgumentException("PodmanRuntimeOptions.DataDirectory must be an absolute path.");
        if (SocketPath is { Length: > 0 } && !Path.IsPathFullyQualified(SocketPath)) throw new ArgumentException("PodmanRuntimeOptions.SocketPath must be an absolute path.");
        if (ContainersConfPath is { Length: > 0 } && !File.Exists(ContainersConfPath)) throw new ArgumentException($"PodmanRuntimeOptions.ContainersConfPath '{ContainersConfPath}' does not exist.");
        if (string.IsNullOrWhiteSpace(PlaneId) || PlaneId.Length > 63) throw new ArgumentException("PodmanRuntimeOptions.PlaneId must be 1 to 63 characters.");
        if (StopTimeoutSeconds < 0) throw new ArgumentException("PodmanRuntimeOptions.StopTimeoutSeconds must not be negative.");
        if (ReconcileInterval <= TimeSpan.Zero) throw new ArgumentException("PodmanRuntimeOptions.ReconcileInterval must be positive.");
        if (DrainDelay < TimeSpan.Zero) throw new ArgumentException("PodmanRuntimeOptions.DrainDelay must not be negative.");
        if (RestartBackoff <= TimeSpan.Zero || MaxRestartBackoff < RestartBackoff) throw new ArgumentException("PodmanRuntimeOptions.RestartBackoff must be positive and not above MaxRestartBackoff.");
        if (CrashLoopRestarts < 1) throw new ArgumentException("PodmanRuntimeOptions.CrashLoopRestarts must be at least 1.");
    }
}
