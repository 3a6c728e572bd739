using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenChoreo.Agent;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Runtime.Podman;

/// <summary>
/// Runs releases as podman containers. Each namespace is a cell with its own network; every object the runtime makes
/// is labelled with its release and resource, and container names are derived from the pod template hash, so a
/// restarted runtime adopts what still matches and prunes what no longer does. One loop reconciles all releases.
/// </summary>
public sealed partial class PodmanReleaseRuntime : IReleaseRuntime, IRouteTable, IAsyncDisposable
{
    private readonly PodmanRuntimeOptions _options;
    private readonly PodmanClient _client;
    private readonly PodmanServiceProcess? _service;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _probeHttp = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.Zero });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HeldState> _releases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ReplicaState> _replicas = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _kick = new(0, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _retiring = new(StringComparer.Ordinal);
    private readonly List<Task> _retirements = [];
    private readonly HashSet<string> _warnedNetworks = new(StringComparer.Ordinal);
    private CellFirewall? _firewall;
    private string[] _firewallBridges = [];
    private DateTimeOffset _firewallChecked;

    /// <summary>Whether traffic between cells is dropped: null until first applied, then "" when it is, else why not.</summary>
    private string? _isolation;
    private Task _loop = Task.CompletedTask;
    private volatile IReadOnlyList<RouteEntry> _routes = [];

    private PodmanReleaseRuntime(PodmanRuntimeOptions options, PodmanClient client, PodmanServiceProcess? service, ILogger logger, TimeProvider time)
    {
        _options = options;
        _client = client;
        _service = service;
        _logger = logger;
        _time = time;
    }

    public event Action? Changed;

    public event Action? RoutesChanged;

    public IReadOnlyList<RouteEntry> Routes => _routes;

    internal PodmanClient Client => _client;

    /// <summary>Starts (or connects to) podman, loads the releases held before a restart and starts reconciling.</summary>
    public static async Task<PodmanReleaseRuntime> StartAsync(PodmanRuntimeOptions options, ILogger<PodmanReleaseRuntime>? logger = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        options.Validate();
        Directory.CreateDirectory(options.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        PodmanServiceProcess? service = null;
        var socket = options.SocketPath;
        if (string.IsNullOrEmpty(socket))
        {
            service = await PodmanServiceProcess.StartAsync(options.PodmanPath, Path.Combine(options.DataDirectory, "podman.sock"), options.ContainersConfPath, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            socket = service.SocketPath;
        }
        var client = new PodmanClient(socket);
        var runtime = new PodmanReleaseRuntime(options, client, service, (ILogger?)logger ?? NullLogger.Instance, time ?? TimeProvider.System);
        await client.VersionAsync(ct).ConfigureAwait(false);
        await ForwarderImage.EnsureAsync(client, options, ct).ConfigureAwait(false);
        runtime.LoadPersisted();
        Log.Started(runtime._logger, socket, runtime._releases.Count);
        await runtime.ReconcileAllAsync(ct).ConfigureAwait(false);
        runtime._loop = runtime.LoopAsync();
        return runtime;
    }

    public async Task<RuntimeInfo> GetInfoAsync(CancellationToken ct)
    {
        var info = await _client.InfoAsync(ct).ConfigureAwait(false);
        var cpus = info["NCPU"]?.GetValue<long>() ?? Environment.ProcessorCount;
        var memory = info["MemTotal"]?.GetValue<long>() ?? 0;
        return new RuntimeInfo
        {
            Kind = "podman",
            Version = info["ServerVersion"]?.GetValue<string>() ?? "",
            Nodes = [new RuntimeNode(info["Name"]?.GetValue<string>() ?? Environment.MachineName, true, cpus * 1000, memory)],
            CpuMillis = cpus * 1000,
            MemoryBytes = memory,
            LoadBalancerSupported = false,
        };
    }

    public async Task<bool> ApplyAsync(ApplyReleaseRequest release, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(release.Name);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_releases.TryGetValue(release.Name, out var held) && held.Request.Generation == release.Generation && held.Request.Checksum == release.Checksum)
                return false;
            var state = new HeldState(release, ReleaseModel.Parse(release.Resources, "default"));
            if (held is not null)
            {
                state.ServicePorts = held.ServicePorts;
                state.Proxies = held.Proxies;
                state.Draining = held.Draining;
                state.CronLastSchedule = held.CronLastSchedule;
            }
            _releases[release.Name] = state;
            Persist(state);
        }
        finally { _gate.Release(); }
        Kick();
        return true;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var existed = _releases.TryRemove(name, out var held);
            File.Delete(StatePath(name));
            if (held is not null)
                foreach (var proxy in held.Proxies.Values) await proxy.DisposeAsync().ConfigureAwait(false);
            foreach (var c in await _client.ListContainersAsync(ct, $"{PodmanLabels.Release}={name}", Plane).ConfigureAwait(false))
                await RemoveContainerAsync(Name(c), ct).ConfigureAwait(false);
            foreach (var v in await _client.ListVolumesAsync(ct, $"{PodmanLabels.Release}={name}", Plane).ConfigureAwait(false))
                await _client.RemoveVolumeAsync(v!["Name"]!.GetValue<string>(), ct).ConfigureAwait(false);
            await PruneNetworksAsync(ct).ConfigureAwait(false);
            await EnsureCellFirewallAsync(ct).ConfigureAwait(false);
            var files = FilesDir(name);
            if (Directory.Exists(files)) Directory.Delete(files, recursive: true);
            if (existed)
            {
                PublishRoutes();
                Changed?.Invoke();
            }
            return existed;
        }
        finally { _gate.Release(); }
    }

    public async Task<IReadOnlyList<HeldRelease>> ListAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try { return [.. _releases.Values.Select(h => new HeldRelease(h.Request.Name, h.Request.Generation, h.Request.Checksum))]; }
        finally { _gate.Release(); }
    }

    /// <summary>Per-resource status of a release; null when it is not held.</summary>
    public IReadOnlyList<ResourceStatus>? GetResourceStatus(string release)
    {
        return _releases.TryGetValue(release, out var held) ? held.Statuses : null;
    }

    /// <summary>Health of every held release (worst resource wins; Unsupported resources do not count).</summary>
    public IReadOnlyList<ReleaseHealth> GetHealth() =>
        [.. _releases.Values.Select(h => new ReleaseHealth(h.Request.Name, h.Request.Generation, h.Request.Checksum, h.Health.ToString(), h.HealthMessage))];

    /// <summary>What the agent reports: <see cref="GetHealth"/> with the per-resource breakdown (Unsupported left out).</summary>
    public Task<IReadOnlyList<ReleaseHealth>> GetHealthAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ReleaseHealth>>([.. _releases.Values.Select(h => new ReleaseHealth(h.Request.Name, h.Request.Generation,
            h.Request.Checksum, h.Health.ToString(), h.HealthMessage,
            [.. h.Statuses.Where(r => r.Health != ResourceHealth.Unsupported).Select(r => new ReleaseResourceHealth(r.Kind, r.Name, r.Health.ToString(), r.Namespace, null, r.Message))]))]);

    /// <summary>The 127.0.0.1 relay endpoint of a Service port; null while unknown.</summary>
    public IPEndPoint? GetServiceEndpoint(string release, string ns, string service, int port) =>
        _releases.TryGetValue(release, out var held) && held.Proxies.TryGetValue($"{ns}/{service}:{port}", out var proxy)
            ? new IPEndPoint(IPAddress.Loopback, proxy.Port) : null;

    public async Task FollowLogsAsync(LogFollowRequest request, Func<ReadOnlyMemory<byte>, ValueTask> sink, CancellationToken ct)
    {
        var containers = await _client.ListContainersAsync(ct, $"{PodmanLabels.Release}={request.Release}", Plane).ConfigureAwait(false);
        var ids = containers
            .Where(c => request.Resource is null || (c!["Labels"]?[PodmanLabels.Resource]?.GetValue<string>() ?? "").EndsWith("." + request.Resource, StringComparison.Ordinal))
            .Select(c => c!["Id"]!.GetValue<string>()).ToList();
        var writeGate = new SemaphoreSlim(1, 1);
        await Task.WhenAll(ids.Select(async id =>
        {
            await using var stream = await _client.ContainerLogsAsync(id, follow: true, request.TailLines, ct).ConfigureAwait(false);
            await LogFrames.ReadAsync(stream, async chunk =>
            {
                await writeGate.WaitAsync(ct).ConfigureAwait(false);
                try { await sink(chunk).ConfigureAwait(false); }
                finally { writeGate.Release(); }
            }, ct).ConfigureAwait(false);
        })).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await _loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        Task[] retirements;
        lock (_retirements) retirements = [.. _retirements];
        await Task.WhenAll(retirements).ConfigureAwait(false);
        foreach (var held in _releases.Values)
            foreach (var proxy in held.Proxies.Values) await proxy.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
        _probeHttp.Dispose();
        if (_service is not null) await _service.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    // ---- loop

    private void Kick()
    {
        try { _kick.Release(); }
        catch (SemaphoreFullException) { }
    }

    private async Task LoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                tick.CancelAfter(_options.ReconcileInterval);
                await _kick.WaitAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            catch (OperationCanceledException) { return; }
            try { await ReconcileAllAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) { Log.PruneFailed(_logger, e); }
        }
    }

    private async Task ReconcileAllAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        var changed = false;
        try
        {
            var all = await _client.ListContainersAsync(ct, Plane).ConfigureAwait(false);
            var byRelease = all.GroupBy(c => c!["Labels"]?[PodmanLabels.Release]?.GetValue<string>() ?? "").ToDictionary(g => g.Key, g => g.ToList());
            foreach (var (release, containers) in byRelease)
                if (!_releases.ContainsKey(release))
                    foreach (var c in containers) await RemoveContainerAsync(Name(c), ct).ConfigureAwait(false);

            foreach (var held in _releases.Values.ToList())
            {
                try
                {
                    var existing = byRelease.GetValueOrDefault(held.Request.Name) ?? [];
                    changed |= await ReconcileReleaseAsync(held, existing, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is PodmanApiException or HttpRequestException or IOException)
                {
                    Log.ReconcileFailed(_logger, held.Request.Name, e);
                }
            }
            await PruneNetworksAsync(ct).ConfigureAwait(false);
            await EnsureCellFirewallAsync(ct).ConfigureAwait(false);
            if (changed) PublishRoutes();
        }
        finally { _gate.Release(); }
        if (changed) Changed?.Invoke();
    }

    private async Task<bool> ReconcileReleaseAsync(HeldState held, List<JsonNode?> existing, CancellationToken ct)
    {
        var model = held.Model;
        var release = held.Request.Name;
        var statuses = new List<ResourceStatus>(model.Unsupported);
        // Cell isolation holds with or without policies; a policy is reported by what of it that isolation enforces,
        // and only once the isolation is in place.
        statuses.AddRange(model.NetworkPolicies.Select(p => p.Health != ResourceHealth.Healthy ? p : _isolation switch
        {
            null => p with { Health = ResourceHealth.Progressing, Message = "cell isolation not applied yet" },
            "" => p,
            var why => p with { Health = ResourceHealth.Degraded, Message = "not enforced: traffic between cells is not blocked: " + why },
        }));
        foreach (var ns in model.Namespaces.Where(ns => model.Workloads.Any(w => w.Namespace == ns) || model.CronJobs.Any(c => c.Namespace == ns)))
            await EnsureNetworkAsync(ns, ct).ConfigureAwait(false);

        // Service wiring: aliases on backends, extra ports to publish, forwarders where port != targetPort.
        var aliases = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var extraPorts = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var forwarders = new List<(ServiceModel Service, List<(int Port, int Target)> Ports)>();
        foreach (var svc in model.Services)
        {
            var backends = model.Workloads.Where(svc.Selects).ToList();
            var mapping = new List<(int Port, int Target)>();
            foreach (var p in svc.Ports)
            {
                var target = p.TargetPort is null ? p.Port : backends.Select(b => ContainerPlan.ResolvePort(p.TargetPort, FirstContainer(b))).FirstOrDefault(t => t > 0);
                mapping.Add((p.Port, target > 0 ? target : p.Port));
            }
            var direct = mapping.All(m => m.Port == m.Target);
            foreach (var b in backends)
            {
                (aliases.TryGetValue(b.Id, out var a) ? a : aliases[b.Id] = []).Add(direct ? svc.Name : EndpointAlias(svc.Name));
                (extraPorts.TryGetValue(b.Id, out var e) ? e : extraPorts[b.Id] = []).AddRange(mapping.Select(m => m.Target));
            }
            if (!direct) forwarders.Add((svc, mapping));
        }

        var desired = new HashSet<string>(StringComparer.Ordinal);
        var ready = new Dictionary<string, List<ReplicaState>>(StringComparer.Ordinal);
        foreach (var w in model.Workloads)
        {
            var plan = ContainerPlan.Build(w, model, extraPorts.GetValueOrDefault(w.Id) ?? []);
            var mine = existing.Where(c => Label(c, PodmanLabels.Resource) == w.Id).ToList();
            if (plan.Problems.Count > 0)
            {
                statuses.Add(new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Degraded, string.Join("; ", plan.Problems)));
                continue;
            }
            WriteFiles(release, plan);
            var status = w.Kind == "Job"
                ? await ReconcileJobAsync(held, w, plan, mine, desired, ct).ConfigureAwait(false)
                : await ReconcileWorkloadAsync(held, w, plan, aliases.GetValueOrDefault(w.Id) ?? [], mine, desired, ready, ct).ConfigureAwait(false);
            statuses.Add(status);
        }

        foreach (var cj in model.CronJobs)
            statuses.Add(await ReconcileCronJobAsync(held, cj, model, existing, desired, ct).ConfigureAwait(false));

        foreach (var (svc, mapping) in forwarders)
        {
            var name = $"oc-{svc.Namespace}-svc-{svc.Name}-{Hash(string.Join(",", mapping))}";
            desired.Add(name);
            if (!existing.Any(c => Name(c) == name))
                await CreateForwarderAsync(held, svc, name, mapping, ct).ConfigureAwait(false);
            else if (existing.First(c => Name(c) == name)!["State"]?.GetValue<string>() != "running")
                await _client.StartContainerAsync(name, ct).ConfigureAwait(false);
        }

        // Service relays on 127.0.0.1 for the gateway.
        var liveProxies = new HashSet<string>(StringComparer.Ordinal);
        foreach (var svc in model.Services)
        {
            var endpoints = model.Workloads.Where(svc.Selects).SelectMany(w => ready.GetValueOrDefault(w.Id) ?? []).ToList();
            foreach (var p in svc.Ports)
            {
                var key = $"{svc.Namespace}/{svc.Name}:{p.Port}";
                liveProxies.Add(key);
                if (!held.Proxies.TryGetValue(key, out var proxy))
                {
                    proxy = new ServiceProxy(held.ServicePorts.GetValueOrDefault(key));
                    held.Proxies[key] = proxy;
                    if (held.ServicePorts.GetValueOrDefault(key) != proxy.Port)
                    {
                        held.ServicePorts[key] = proxy.Port;
                        Persist(held);
                    }
                }
                var target = p.TargetPort is null ? p.Port : endpoints.Select(r => ContainerPlan.ResolvePort(p.TargetPort, r.Container)).FirstOrDefault(t => t > 0);
                proxy.SetBackends(endpoints.Select(r => r.HostPorts.GetValueOrDefault(target > 0 ? target : p.Port)).Where(hp => hp > 0));
            }
            statuses.Add(new ResourceStatus("Service", svc.Namespace, svc.Name,
                endpoints.Count > 0 ? ResourceHealth.Healthy : ResourceHealth.Progressing, endpoints.Count > 0 ? null : "no ready endpoints"));
        }
        var relaysUpdated = _time.GetUtcNow();
        foreach (var name in held.Draining)
            if (_replicas.TryGetValue(name, out var draining)) draining.DrainingSince ??= relaysUpdated;
        foreach (var key in held.Proxies.Keys.Where(k => !liveProxies.Contains(k)).ToList())
        {
            await held.Proxies[key].DisposeAsync().ConfigureAwait(false);
            held.Proxies.Remove(key);
        }
        foreach (var r in model.Routes)
            statuses.Add(new ResourceStatus("HTTPRoute", ReleaseModel.Str(r["metadata"], "namespace") ?? "default", ReleaseModel.Str(r["metadata"], "name") ?? "", ResourceHealth.Healthy));

        // Anything of this release that is no longer desired (removed resources, old revisions already drained).
        foreach (var c in existing)
            if (!desired.Contains(Name(c)) && !_retiring.ContainsKey(Name(c)))
            {
                held.Draining.Remove(Name(c));
                await RemoveContainerAsync(Name(c), ct).ConfigureAwait(false);
            }

        var health = Aggregate(statuses, out var message);
        var changed = health != held.Health || message != held.HealthMessage || !statuses.SequenceEqual(held.Statuses)
                      || !held.Proxies.Values.SelectMany(p => p.Backends.Append(-1)).SequenceEqual(held.LastBackends);
        // The gateway dials ready replicas directly: publish when the set changes, not only its size (a rollout swaps ports).
        held.LastBackends = [.. held.Proxies.Values.SelectMany(p => p.Backends.Append(-1))];
        held.Statuses = statuses;
        held.Health = health;
        held.HealthMessage = message;
        return changed;
    }

    private static ResourceHealth Aggregate(List<ResourceStatus> statuses, out string? message)
    {
        var counted = statuses.Where(s => s.Health != ResourceHealth.Unsupported).ToList();
        message = null;
        if (counted.FirstOrDefault(s => s.Health == ResourceHealth.Degraded) is { } degraded)
        {
            message = $"{degraded.Kind} {degraded.Name}: {degraded.Message}";
            return ResourceHealth.Degraded;
        }
        if (counted.FirstOrDefault(s => s.Health == ResourceHealth.Progressing) is { } progressing)
        {
            message = $"{progressing.Kind} {progressing.Name}: {progressing.Message}";
            return ResourceHealth.Progressing;
        }
        if (counted.Count > 0 && counted.All(s => s.Health == ResourceHealth.Suspended)) return ResourceHealth.Suspended;
        return counted.Count == 0 ? ResourceHealth.Unknown : ResourceHealth.Healthy;
    }

    // ---- helpers

    internal static string Name(JsonNode? container) =>
        container?["Names"] is JsonArray names && names.Count > 0 ? names[0]!.GetValue<string>().TrimStart('/') : container?["Id"]?.GetValue<string>() ?? "";

    internal static string? Label(JsonNode? container, string key) => container?["Labels"]?[key]?.GetValue<string>();

    // Not "--": static glibc getaddrinfo in busybox crashes on names with a double hyphen (IDNA).
    private static string EndpointAlias(string service) => service + "-ocep";

    private static JsonObject FirstContainer(WorkloadModel w) => (w.PodSpec["containers"] as JsonArray)?.FirstOrDefault() as JsonObject ?? [];

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..10];

    private string Plane => $"{PodmanLabels.Plane}={_options.PlaneId}";

    private static string NetworkName(string ns) => "oc-" + ns;

    /// <summary>The cell's network, isolated: its containers cannot connect to those of another cell (netavark's
    /// <c>isolate</c> option); the host still reaches their published 127.0.0.1 ports, which is how the gateway dials them.</summary>
    private async Task EnsureNetworkAsync(string ns, CancellationToken ct)
    {
        var isolated = await _client.IsNetworkIsolatedAsync(NetworkName(ns), ct).ConfigureAwait(false);
        if (isolated == true) return;
        if (isolated == false)
        {
            // Not isolated (made by hand or by another tool): recreated while nothing is attached, else reported.
            if ((await _client.ContainersOnNetworkAsync(NetworkName(ns), ct).ConfigureAwait(false)).Count > 0)
            {
                if (_warnedNetworks.Add(NetworkName(ns))) Log.CellNotIsolated(_logger, NetworkName(ns));
                return;
            }
            await _client.RemoveNetworkAsync(NetworkName(ns), ct).ConfigureAwait(false);
        }
        await _client.CreateNetworkAsync(NetworkName(ns), new Dictionary<string, string>
        {
            [PodmanLabels.Managed] = PodmanLabels.ManagedValue,
            [PodmanLabels.Plane] = _options.PlaneId,
            [PodmanLabels.Namespace] = ns,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Keeps the firewall chain in line with this plane's cell bridges: when they change, else every 30 s
    /// (something else may have flushed the rules).</summary>
    private async Task EnsureCellFirewallAsync(CancellationToken ct)
    {
        if (!_options.CellFirewall)
        {
            _isolation = "the runtime's cell firewall is off (PodmanRuntimeOptions.CellFirewall)";
            return;
        }
        var bridges = (await _client.ListNetworksAsync(ct, Plane).ConfigureAwait(false))
            .Where(n => n?["labels"]?[PodmanLabels.Namespace] is not null)
            .Select(n => n?["network_interface"]?.GetValue<string>() ?? "").Where(b => b.Length > 0).Order(StringComparer.Ordinal).ToArray();
        var now = _time.GetUtcNow();
        if (_isolation == "" && bridges.SequenceEqual(_firewallBridges) && now - _firewallChecked < TimeSpan.FromSeconds(30)) return;
        _firewall ??= new CellFirewall(_options.IptablesPath, _options.PlaneId);
        string? problem = null;
        // No cells left: the chain and its jump go too, so a removed plane leaves nothing behind.
        if (bridges.Length == 0) await _firewall.RemoveAsync(ct).ConfigureAwait(false);
        else problem = await _firewall.EnsureAsync(bridges, ct).ConfigureAwait(false);
        if (problem is not null && problem != _isolation) Log.CellFirewallFailed(_logger, problem);
        _isolation = problem ?? "";
        _firewallBridges = bridges;
        _firewallChecked = now;
    }

    private async Task PruneNetworksAsync(CancellationToken ct)
    {
        // A cell holding only CronJobs still needs its network: their run containers attach to it.
        var used = _releases.Values
            .SelectMany(h => h.Model.Workloads.Select(w => w.Namespace).Concat(h.Model.CronJobs.Select(c => c.Namespace)))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var n in await _client.ListNetworksAsync(ct, Plane).ConfigureAwait(false))
        {
            var ns = n?["labels"]?[PodmanLabels.Namespace]?.GetValue<string>();
            if (ns is not null && !used.Contains(ns)) await _client.RemoveNetworkAsync(n!["name"]!.GetValue<string>(), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops a drained replica with its grace period (SIGTERM, then SIGKILL after <see cref="PodmanRuntimeOptions.StopTimeoutSeconds"/>)
    /// and removes it, off the reconcile loop so a slow stop does not hold up other releases. Called under the gate.
    /// </summary>
    private void Retire(string name)
    {
        if (!_retiring.TryAdd(name, 0)) return;
        _replicas.Remove(name);
        var task = Task.Run(async () =>
        {
            try
            {
                await _client.StopContainerAsync(name, _options.StopTimeoutSeconds, _stop.Token).ConfigureAwait(false);
                await _client.RemoveContainerAsync(name, _stop.Token).ConfigureAwait(false);
                Log.Removed(_logger, name);
            }
            catch (Exception e) when (e is PodmanApiException or HttpRequestException or IOException or OperationCanceledException)
            {
                // Left in place: the next pass finds it as an old replica again and retires it again.
                if (!_stop.IsCancellationRequested) Log.RetireFailed(_logger, name, e);
            }
            finally
            {
                _retiring.TryRemove(name, out _);
                if (!_stop.IsCancellationRequested) Kick();
            }
        });
        lock (_retirements)
        {
            _retirements.RemoveAll(t => t.IsCompleted);
            _retirements.Add(task);
        }
    }

    private async Task RemoveContainerAsync(string name, CancellationToken ct)
    {
        await _client.RemoveContainerAsync(name, ct).ConfigureAwait(false);
        _replicas.Remove(name);
        Log.Removed(_logger, name);
    }

    private string FilesDir(string release) => Path.Combine(_options.DataDirectory, "files", Hash(release));

    private string StatePath(string release) => Path.Combine(_options.DataDirectory, "releases", Hash(release) + ".json");

    /// <summary>Writes ConfigMap and Secret files; secret files and their directories are owner-only.</summary>
    private void WriteFiles(string release, ContainerPlan plan)
    {
        const UnixFileMode dirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var (dir, files, _, _) in plan.FileMounts)
        {
            var path = Path.Combine(FilesDir(release), dir);
            Directory.CreateDirectory(path, dirMode);
            foreach (var f in files)
            {
                var target = Path.GetFullPath(Path.Combine(path, f.RelativePath));
                if (!target.StartsWith(path + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
                if (File.Exists(target) && File.ReadAllBytes(target).AsSpan().SequenceEqual(f.Content)) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(target)!, dirMode);
                var mode = f.Secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                var temp = target + ".tmp";
                using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode }))
                    stream.Write(f.Content);
                File.SetUnixFileMode(temp, mode);
                File.Move(temp, target, overwrite: true);
            }
        }
    }

    private void Persist(HeldState held)
    {
        var doc = new JsonObject
        {
            ["name"] = held.Request.Name,
            ["generation"] = held.Request.Generation,
            ["checksum"] = held.Request.Checksum,
            ["resources"] = held.Request.Resources.DeepClone(),
            ["servicePorts"] = new JsonObject(held.ServicePorts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["cronLastSchedule"] = new JsonObject(held.CronLastSchedule.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
        };
        var path = StatePath(held.Request.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = path + ".tmp";
        // The document holds Secret data: owner-only.
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            stream.Write(Encoding.UTF8.GetBytes(doc.ToJsonString()));
        File.Move(temp, path, overwrite: true);
    }

    private void LoadPersisted()
    {
        var dir = Path.Combine(_options.DataDirectory, "releases");
        if (!Directory.Exists(dir)) return;
        foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
        {
            var doc = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var request = new ApplyReleaseRequest
            {
                Name = doc["name"]!.GetValue<string>(),
                Generation = doc["generation"]!.GetValue<long>(),
                Checksum = doc["checksum"]!.GetValue<string>(),
                Resources = doc["resources"]!.AsArray().DeepClone().AsArray(),
            };
            var held = new HeldState(request, ReleaseModel.Parse(request.Resources, "default"));
            if (doc["servicePorts"] is JsonObject ports)
                foreach (var (k, v) in ports) held.ServicePorts[k] = v!.GetValue<int>();
            if (doc["cronLastSchedule"] is JsonObject cron)
                foreach (var (k, v) in cron) held.CronLastSchedule[k] = v!.GetValue<DateTimeOffset>();
            _releases[request.Name] = held;
        }
    }

    private void PublishRoutes()
    {
        var routes = new List<RouteEntry>();
        foreach (var held in _releases.Values)
            foreach (var r in held.Model.Routes)
            {
                var ns = ReleaseModel.Str(r["metadata"], "namespace") ?? "default";
                var spec = r["spec"] as JsonObject;
                var hosts = spec?["hostnames"] is JsonArray h ? h.Select(x => x!.GetValue<string>()).ToList() : [];
                var rules = new List<RouteRule>();
                if (spec?["rules"] is JsonArray rs)
                    foreach (var rule in rs)
                    {
                        var matches = new List<RoutePathMatch>();
                        if (rule?["matches"] is JsonArray ms)
                            foreach (var m in ms)
                            {
                                // Gateway API defaults: a match without a path is PathPrefix "/".
                                var path = m?["path"] as JsonObject;
                                var headers = m?["headers"] is JsonArray hs
                                    ? hs.Select(x => new RouteHeaderMatch(ReleaseModel.Str(x, "name") ?? "", ReleaseModel.Str(x, "value") ?? "", ReleaseModel.Str(x, "type") ?? "Exact")).ToList()
                                    : null;
                                matches.Add(new RoutePathMatch(ReleaseModel.Str(path, "type") ?? "PathPrefix", ReleaseModel.Str(path, "value") ?? "/", headers, ReleaseModel.Str(m, "method")));
                            }
                        RouteRewrite? rewrite = null;
                        if (rule?["filters"] is JsonArray fs)
                            foreach (var f in fs)
                                if (ReleaseModel.Str(f, "type") == "URLRewrite" && f?["urlRewrite"] is JsonObject u)
                                {
                                    var p = u["path"] as JsonObject;
                                    var pathType = ReleaseModel.Str(p, "type");
                                    rewrite = new RouteRewrite(ReleaseModel.Str(u, "hostname"), pathType,
                                        pathType == "ReplaceFullPath" ? ReleaseModel.Str(p, "replaceFullPath") : ReleaseModel.Str(p, "replacePrefixMatch"));
                                }
                        var backends = new List<RouteBackend>();
                        if (rule?["backendRefs"] is JsonArray bs)
                            foreach (var b in bs)
                            {
                                var svc = ReleaseModel.Str(b, "name") ?? "";
                                var port = ReleaseModel.Int(b, "port", 0);
                                var bns = ReleaseModel.Str(b, "namespace") ?? ns;
                                var known = held.Proxies.TryGetValue($"{bns}/{svc}:{port}", out var proxy);
                                var endpoint = known ? new IPEndPoint(IPAddress.Loopback, proxy!.Port) : null;
                                IReadOnlyList<IPEndPoint>? replicas = known ? [.. proxy!.Backends.Select(hp => new IPEndPoint(IPAddress.Loopback, hp))] : null;
                                backends.Add(new RouteBackend(svc, port, ReleaseModel.Int(b, "weight", 1), endpoint, replicas));
                            }
                        rules.Add(new RouteRule(matches, backends, rewrite));
                    }
                routes.Add(new RouteEntry(held.Request.Name, ns, ReleaseModel.Str(r["metadata"], "name") ?? "", hosts, rules, ReleaseModel.Map(r["metadata"]?["labels"])));
            }
        _routes = routes;
        RoutesChanged?.Invoke();
    }

    private sealed class HeldState(ApplyReleaseRequest request, ReleaseModel model)
    {
        public ApplyReleaseRequest Request { get; } = request;
        public ReleaseModel Model { get; } = model;
        public List<ResourceStatus> Statuses { get; set; } = [];
        public ResourceHealth Health { get; set; } = ResourceHealth.Unknown;
        public string? HealthMessage { get; set; }
        public Dictionary<string, ServiceProxy> Proxies { get; set; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> ServicePorts { get; set; } = new(StringComparer.Ordinal);
        public HashSet<string> Draining { get; set; } = new(StringComparer.Ordinal);
        public int[] LastBackends { get; set; } = [];

        /// <summary>The last schedule time handled per CronJob id (persisted: restarts neither repeat nor replay runs).</summary>
        public Dictionary<string, DateTimeOffset> CronLastSchedule { get; set; } = new(StringComparer.Ordinal);
    }
}
