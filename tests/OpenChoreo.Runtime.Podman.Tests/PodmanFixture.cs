using OpenChoreo.Runtime.Podman;

[assembly: AssemblyFixture(typeof(OpenChoreo.Runtime.Podman.Tests.PodmanFixture))]

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>
/// One real <c>podman system service</c> on a socket in a temp dir, shared by all tests; each test runs its own
/// runtime (own data directory and plane id) and its own cell names. Builds the busybox test image once.
/// </summary>
public sealed class PodmanFixture : IAsyncLifetime
{
    public const string Image = "localhost/oc-podman-test:1";
    public const string Image2 = "localhost/oc-podman-test:2";

    private PodmanServiceProcess? _service;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "oc-podman-" + Guid.NewGuid().ToString("n")[..8]);

    public string ContainersConf => Path.Combine(Root, "containers.conf");

    public string SocketPath => _service!.SocketPath;

    public PodmanClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        // Hosts without systemd and with cgroup v1 need runc, cgroupfs and no default ulimits (see ENVIRONMENT.md).
        await File.WriteAllTextAsync(ContainersConf, """
            [containers]
            default_ulimits = []
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            [network]
            network_backend = "netavark"
            """);
        _service = await PodmanServiceProcess.StartAsync("podman", Path.Combine(Root, "podman.sock"), ContainersConf, TimeSpan.FromSeconds(30), default);
        Client = new PodmanClient(_service.SocketPath);
        if (!await Client.ImageExistsAsync(Image, default))
            await ForwarderImage.ImportBusyboxAsync(Client, "/bin/busybox", "localhost/oc-podman-test", "1", default);
        if (!await Client.ImageExistsAsync(Image2, default))
            await Client.TagImageAsync(Image, "localhost/oc-podman-test", "2", default);
    }

    private readonly System.Collections.Concurrent.ConcurrentBag<string> _planes = [];

    public PodmanRuntimeOptions Options(string plane)
    {
        _planes.Add(plane);
        return new()
        {
        PlaneId = plane,
        DataDirectory = Path.Combine(Root, plane),
        SocketPath = SocketPath,
        StopTimeoutSeconds = 0,
        ReconcileInterval = TimeSpan.FromMilliseconds(250),
        DrainDelay = TimeSpan.FromMilliseconds(500),
        RestartBackoff = TimeSpan.FromMilliseconds(200),
        MaxRestartBackoff = TimeSpan.FromSeconds(1),
        ContainersConfPath = ContainersConf,
        };
    }

    public async ValueTask DisposeAsync()
    {
        // A failed test may leave its cell behind: remove whatever carries a test plane id.
        foreach (var plane in _planes.Distinct())
        {
            var label = "openchoreo.dev/plane=" + plane;
            foreach (var c in await Client.ListContainersAsync(default, label)) await Client.RemoveContainerAsync(c!["Id"]!.GetValue<string>(), default);
            foreach (var v in await Client.ListVolumesAsync(default, label)) await Client.RemoveVolumeAsync(v!["Name"]!.GetValue<string>(), default);
            foreach (var n in await Client.ListNetworksAsync(default, label)) await Client.RemoveNetworkAsync(n!["name"]!.GetValue<string>(), default);
            await new CellFirewall("iptables", plane).RemoveAsync(default);
        }
        Client?.Dispose();
        if (_service is not null) await _service.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
