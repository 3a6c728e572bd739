using OpenChoreo.Runtime.Podman;

namespace OpenChoreo.Ingress.Tests;

/// <summary>A throw-away directory and podman runtime options for one test's plane (unique id, fast reconcile).</summary>
internal sealed record PodmanTestPlane(string Directory, string PlaneId, PodmanRuntimeOptions Options)
{
    public static bool Available => File.Exists("/usr/bin/podman") && File.Exists("/bin/busybox");

    public const string SkipReason = "podman and busybox-static are not installed (eng/lib.sh oc_install_test_prereqs)";

    public static async Task<PodmanTestPlane> CreateAsync(string prefix, TimeSpan drainDelay, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"oc-{prefix}-" + Guid.NewGuid().ToString("n")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        // Hosts without systemd (cgroup v1, no crun) need runc and cgroupfs; this host defaults to CNI without its plugins.
        var conf = Path.Combine(dir, "containers.conf");
        await File.WriteAllTextAsync(conf, "[containers]\ndefault_ulimits = []\n[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\n[network]\nnetwork_backend = \"netavark\"\n", ct);
        var plane = prefix + "-" + Guid.NewGuid().ToString("n")[..6];
        return new PodmanTestPlane(dir, plane, new PodmanRuntimeOptions
        {
            PlaneId = plane,
            DataDirectory = Path.Combine(dir, "runtime"),
            ContainersConfPath = System.IO.Directory.Exists("/run/systemd/system") ? null : conf,
            StopTimeoutSeconds = 0,
            ReconcileInterval = TimeSpan.FromMilliseconds(250),
            DrainDelay = drainDelay,
        });
    }
}
