using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman;

public sealed partial class PodmanReleaseRuntime
{
    /// <summary>Deployment / StatefulSet: N replicas of the current revision; old revisions go once all new ones are ready.</summary>
    private async Task<ResourceStatus> ReconcileWorkloadAsync(HeldState held, WorkloadModel w, ContainerPlan plan, List<string> aliases,
        List<JsonNode?> mine, HashSet<string> desired, Dictionary<string, List<ReplicaState>> readyOut, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var wanted = Enumerable.Range(0, Math.Max(0, w.Replicas)).Select(i => ReplicaName(w, plan, i)).ToList();
        foreach (var name in wanted) desired.Add(name);
        var byName = mine.ToDictionary(Name, StringComparer.Ordinal);

        for (var i = 0; i < wanted.Count; i++)
            if (!byName.ContainsKey(wanted[i]))
            {
                await CreateReplicaAsync(held, w, plan, aliases, i, wanted[i], ct).ConfigureAwait(false);
                byName[wanted[i]] = null;
            }

        var states = new List<ReplicaState>();
        string? degraded = null;
        foreach (var (name, summary) in byName)
        {
            // Drained and being stopped in the background: neither observed (that would restart it) nor pruned.
            if (_retiring.ContainsKey(name)) { desired.Add(name); continue; }
            var state = await ObserveAsync(name, plan, w, now, ct).ConfigureAwait(false);
            if (state is null) continue;
            states.Add(state);
            if (wanted.Contains(name) && state.Restarts >= _options.CrashLoopRestarts && !state.Ready)
                degraded ??= $"CrashLoopBackOff: container exited with code {state.LastExitCode} after {state.Restarts} restarts; last output: {state.LastOutput}";
        }

        var current = states.Where(s => wanted.Contains(s.Name)).ToList();
        var old = states.Where(s => !wanted.Contains(s.Name)).ToList();
        var allReady = current.Count == wanted.Count && current.All(s => s.Ready);
        readyOut[w.Id] = allReady ? [.. current.Where(s => s.Ready)] : [.. states.Where(s => s.Ready)];

        // The old revision (and replicas above a lowered count) keeps serving until every new replica is ready: the
        // release-wide sweep must not take it before that.
        foreach (var o in old) desired.Add(o.Name);
        if (allReady && old.Count > 0)
        {
            // Then out of the relays and the gateway first (the caller stamps DrainingSince once the relays no longer
            // list it), and stopped only after the drain delay, so connections already sent to it can finish.
            foreach (var o in old) held.Draining.Add(o.Name);
            var stampNow = _time.GetUtcNow();
            if (old.All(o => o.DrainingSince is { } since && stampNow - since >= _options.DrainDelay))
                foreach (var o in old)
                {
                    held.Draining.Remove(o.Name);
                    Retire(o.Name);
                }
            else Kick();
        }

        if (w.Replicas == 0 && old.Count == 0) return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Suspended, "scaled to zero");
        if (degraded is not null) return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Degraded, degraded);
        if (allReady && old.Count == 0) return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Healthy, $"{current.Count}/{wanted.Count} ready");
        return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Progressing, $"{current.Count(s => s.Ready)}/{wanted.Count} ready");
    }

    /// <summary>Job: one container per attempt, retried up to backoffLimit, killed after activeDeadlineSeconds.</summary>
    private async Task<ResourceStatus> ReconcileJobAsync(HeldState held, WorkloadModel w, ContainerPlan plan, List<JsonNode?> mine, HashSet<string> desired, CancellationToken ct)
    {
        var backoffLimit = ReleaseModel.Int(w.Spec, "backoffLimit", 6);
        var deadline = ReleaseModel.Int(w.Spec, "activeDeadlineSeconds", 0);
        var attempts = mine.Where(c => Label(c, PodmanLabels.TemplateHash) == plan.Hash).OrderBy(c => int.Parse(Label(c, PodmanLabels.Replica) ?? "0", CultureInfo.InvariantCulture)).ToList();
        foreach (var a in attempts) desired.Add(Name(a));
        var now = _time.GetUtcNow();
        var failed = 0;
        DateTimeOffset? firstStart = null;
        foreach (var a in attempts)
        {
            var inspect = await _client.InspectContainerAsync(Name(a), ct).ConfigureAwait(false);
            if (inspect is null) continue;
            var state = inspect["State"]!;
            if (DateTimeOffset.TryParse(state["StartedAt"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var started) && started.Year > 1)
                firstStart ??= started;
            var status = state["Status"]?.GetValue<string>();
            var exit = state["ExitCode"]?.GetValue<int>() ?? 0;
            if (status == "running")
            {
                if (deadline > 0 && firstStart is { } fs && now - fs > TimeSpan.FromSeconds(deadline))
                {
                    await _client.KillContainerAsync(Name(a), ct).ConfigureAwait(false);
                    return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Degraded, $"DeadlineExceeded: the job ran longer than {deadline}s");
                }
                return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Progressing, "running");
            }
            if (status is "exited" or "stopped")
            {
                if (exit == 0) return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Healthy, "Complete");
                failed++;
            }
        }
        if (deadline > 0 && firstStart is { } first && now - first > TimeSpan.FromSeconds(deadline))
            return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Degraded, $"DeadlineExceeded: the job ran longer than {deadline}s");
        if (failed > backoffLimit)
        {
            var last = attempts.Count > 0 ? Trim(await _client.TailLogsAsync(Name(attempts[^1]), _options.ReasonLogLines, ct).ConfigureAwait(false)) : "";
            return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Degraded, $"BackoffLimitExceeded: {failed} failed attempts; last output: {last}");
        }
        var name = $"oc-{w.Namespace}-{w.Name}-{plan.Hash}-{attempts.Count}";
        desired.Add(name);
        await CreateReplicaAsync(held, w, plan, [], attempts.Count, name, ct).ConfigureAwait(false);
        return new ResourceStatus(w.Kind, w.Namespace, w.Name, ResourceHealth.Progressing, failed > 0 ? $"retrying after {failed} failed attempts" : "starting");
    }

    /// <summary>Replica names carry the revision hash: the same template always maps to the same containers (adoption).</summary>
    private static string ReplicaName(WorkloadModel w, ContainerPlan plan, int i) => $"oc-{w.Namespace}-{w.Name}-{plan.Hash}-{i}";

    private async Task CreateReplicaAsync(HeldState held, WorkloadModel w, ContainerPlan plan, List<string> aliases, int index, string name, CancellationToken ct)
    {
        var labels = PodmanLabels.For(_options.PlaneId, held.Request.Name, w.Id, w.Namespace, w.Labels);
        labels[PodmanLabels.TemplateHash] = plan.Hash;
        labels[PodmanLabels.Replica] = index.ToString(CultureInfo.InvariantCulture);
        labels[PodmanLabels.Role] = w.Kind == "Job" ? "job" : "replica";

        var exposed = new JsonObject();
        var bindings = new JsonObject();
        foreach (var p in plan.Ports)
        {
            exposed[$"{p}/tcp"] = new JsonObject();
            bindings[$"{p}/tcp"] = new JsonArray(new JsonObject { ["HostIp"] = "127.0.0.1", ["HostPort"] = "" });
        }
        var binds = new JsonArray();
        foreach (var (dir, files, target, subPath) in plan.FileMounts)
        {
            var host = Path.Combine(FilesDir(held.Request.Name), dir);
            binds.Add(subPath is null ? $"{host}:{target}:ro" : $"{Path.Combine(host, subPath)}:{target}:ro");
        }
        var mounts = new JsonArray();
        var tmpfs = new JsonObject();
        foreach (var (volume, target, readOnly, persistent) in plan.VolumeMounts)
        {
            if (!persistent) { tmpfs[target] = ""; continue; }
            if (await _client.InspectVolumeAsync(volume, ct).ConfigureAwait(false) is null)
            {
                var vlabels = PodmanLabels.For(_options.PlaneId, held.Request.Name, $"PersistentVolumeClaim.{w.Namespace}.{volume}", w.Namespace, w.Labels);
                await _client.CreateVolumeAsync(volume, vlabels, ct).ConfigureAwait(false);
            }
            mounts.Add(new JsonObject { ["Type"] = "volume", ["Source"] = volume, ["Target"] = target, ["ReadOnly"] = readOnly });
        }
        var allAliases = new List<string>(aliases);
        var hostname = w.Kind == "StatefulSet" ? $"{w.Name}-{index}" : name;
        if (w.Kind == "StatefulSet") allAliases.Add(hostname);
        var network = NetworkName(w.Namespace);
        var body = new JsonObject
        {
            ["Image"] = plan.Image,
            ["Env"] = PodmanClient.ToArray(plan.Env),
            ["Labels"] = PodmanClient.ToObject(labels),
            ["Hostname"] = hostname.Length > 63 ? hostname[..63] : hostname,
            ["ExposedPorts"] = exposed,
            ["StopTimeout"] = _options.StopTimeoutSeconds,
            ["HostConfig"] = new JsonObject
            {
                ["NetworkMode"] = network,
                ["PortBindings"] = bindings,
                ["Binds"] = binds,
                ["Mounts"] = mounts,
                ["Tmpfs"] = tmpfs,
            },
            ["NetworkingConfig"] = new JsonObject
            {
                ["EndpointsConfig"] = new JsonObject { [network] = new JsonObject { ["Aliases"] = PodmanClient.ToArray(allAliases) } },
            },
        };
        if (plan.Entrypoint is not null) body["Entrypoint"] = PodmanClient.ToArray(plan.Entrypoint);
        if (plan.Cmd is not null) body["Cmd"] = PodmanClient.ToArray(plan.Cmd);
        if (plan.WorkingDir is not null) body["WorkingDir"] = plan.WorkingDir;
        await _client.CreateContainerAsync(name, body, ct).ConfigureAwait(false);
        await _client.StartContainerAsync(name, ct).ConfigureAwait(false);
        Log.Created(_logger, name);
    }

    private async Task CreateForwarderAsync(HeldState held, ServiceModel svc, string name, List<(int Port, int Target)> mapping, CancellationToken ct)
    {
        var labels = PodmanLabels.For(_options.PlaneId, held.Request.Name, svc.Id, svc.Namespace, null);
        labels[PodmanLabels.Role] = "forwarder";
        // busybox nc -ll -e: one forked relay per connection to the Service's endpoint alias. The name is resolved
        // with busybox's own resolver: getaddrinfo in a static glibc busybox crashes without the NSS modules.
        var script = string.Join(" & ", mapping.Select(m =>
            $"/bin/busybox nc -ll -p {m.Port} -e /bin/busybox sh -c 'exec /bin/busybox nc $(/bin/busybox nslookup {EndpointAlias(svc.Name)} | /bin/busybox awk \"/^Address/{{a=\\$2}} END{{print a}}\") {m.Target}'")) + " & wait";
        var network = NetworkName(svc.Namespace);
        await EnsureNetworkAsync(svc.Namespace, ct).ConfigureAwait(false);
        var body = new JsonObject
        {
            ["Image"] = _options.ForwarderImage,
            ["Entrypoint"] = PodmanClient.ToArray(["/bin/busybox", "sh", "-c", script]),
            ["Labels"] = PodmanClient.ToObject(labels),
            ["StopTimeout"] = 0,
            ["HostConfig"] = new JsonObject { ["NetworkMode"] = network },
            ["NetworkingConfig"] = new JsonObject
            {
                ["EndpointsConfig"] = new JsonObject { [network] = new JsonObject { ["Aliases"] = new JsonArray(svc.Name) } },
            },
        };
        await _client.CreateContainerAsync(name, body, ct).ConfigureAwait(false);
        await _client.StartContainerAsync(name, ct).ConfigureAwait(false);
        Log.Created(_logger, name);
    }

    /// <summary>Inspects a replica, restarts it with backoff when it exited, and runs its probes.</summary>
    private async Task<ReplicaState?> ObserveAsync(string name, ContainerPlan plan, WorkloadModel w, DateTimeOffset now, CancellationToken ct)
    {
        var inspect = await _client.InspectContainerAsync(name, ct).ConfigureAwait(false);
        if (inspect is null) return null;
        if (!_replicas.TryGetValue(name, out var state))
            _replicas[name] = state = new ReplicaState(name, FirstContainer(w));
        var st = inspect["State"]!;
        var running = st["Status"]?.GetValue<string>() == "running";
        state.HostPorts.Clear();
        if (inspect["NetworkSettings"]?["Ports"] is JsonObject ports)
            foreach (var (key, value) in ports)
                if (value is JsonArray { Count: > 0 } arr && int.TryParse(arr[0]?["HostPort"]?.GetValue<string>(), out var hp)
                    && int.TryParse(key.Split('/')[0], out var cp))
                    state.HostPorts[cp] = hp;

        if (!running)
        {
            state.Ready = false;
            if (state.NextRestartAt is null)
            {
                state.LastExitCode = st["ExitCode"]?.GetValue<int>() ?? -1;
                state.LastOutput = Trim(await _client.TailLogsAsync(name, _options.ReasonLogLines, ct).ConfigureAwait(false));
                var delay = TimeSpan.FromTicks(Math.Min(_options.MaxRestartBackoff.Ticks, _options.RestartBackoff.Ticks << Math.Min(state.Restarts, 20)));
                state.NextRestartAt = now + delay;
                Log.Crashed(_logger, name, state.LastExitCode, state.Restarts + 1, delay);
            }
            if (now >= state.NextRestartAt)
            {
                state.Restarts++;
                state.NextRestartAt = null;
                state.ProbeSuccesses = 0;
                state.LivenessFailures = 0;
                state.ReadinessFailures = 0;
                await _client.StartContainerAsync(name, ct).ConfigureAwait(false);
            }
            return state;
        }

        DateTimeOffset.TryParse(st["StartedAt"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var startedAt);
        if (plan.Liveness is { } liveness && Due(liveness, startedAt, state.LastLiveness, now))
        {
            state.LastLiveness = now;
            if (await ProbeAsync(liveness, state, name, ct).ConfigureAwait(false)) state.LivenessFailures = 0;
            else if (++state.LivenessFailures >= ReleaseModel.Int(liveness, "failureThreshold", 3))
            {
                Log.LivenessRestart(_logger, name, state.LivenessFailures);
                await _client.StopContainerAsync(name, _options.StopTimeoutSeconds, ct).ConfigureAwait(false);
                state.Ready = false;
                return state;
            }
        }
        if (plan.Readiness is { } readiness)
        {
            if (Due(readiness, startedAt, state.LastReadiness, now))
            {
                state.LastReadiness = now;
                if (await ProbeAsync(readiness, state, name, ct).ConfigureAwait(false))
                {
                    state.ReadinessFailures = 0;
                    if (++state.ProbeSuccesses >= ReleaseModel.Int(readiness, "successThreshold", 1)) state.Ready = true;
                }
                else
                {
                    state.ProbeSuccesses = 0;
                    if (!state.Ready || ++state.ReadinessFailures >= ReleaseModel.Int(readiness, "failureThreshold", 3)) state.Ready = false;
                }
            }
        }
        else state.Ready = true;
        if (state.Ready && state.Restarts > 0 && now - startedAt > TimeSpan.FromMinutes(1)) state.Restarts = 0;
        return state;
    }

    private bool Due(JsonObject probe, DateTimeOffset startedAt, DateTimeOffset? last, DateTimeOffset now)
    {
        if (now - startedAt < TimeSpan.FromSeconds(ReleaseModel.Int(probe, "initialDelaySeconds", 0))) return false;
        return last is null || now - last >= TimeSpan.FromSeconds(ReleaseModel.Int(probe, "periodSeconds", 10)) - _options.ReconcileInterval / 2;
    }

    private async Task<bool> ProbeAsync(JsonObject probe, ReplicaState state, string name, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, ReleaseModel.Int(probe, "timeoutSeconds", 1))));
        try
        {
            if (probe["exec"]?["command"] is JsonArray command)
                return await _client.ExecAsync(name, [.. command.Select(c => c!.GetValue<string>())], timeout.Token).ConfigureAwait(false) == 0;
            var port = ContainerPlan.ProbePort(probe, state.Container);
            if (!state.HostPorts.TryGetValue(port, out var hostPort)) return false;
            if (probe["httpGet"] is JsonObject http)
            {
                var path = ReleaseModel.Str(http, "path") ?? "/";
                using var response = await _probeHttp.GetAsync($"http://127.0.0.1:{hostPort}{(path.StartsWith('/') ? path : "/" + path)}", timeout.Token).ConfigureAwait(false);
                return (int)response.StatusCode is >= 200 and < 400;
            }
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, hostPort, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is OperationCanceledException or HttpRequestException or SocketException or PodmanApiException)
        {
            return false;
        }
    }

    private static string Trim(string output)
    {
        output = output.Trim();
        return output.Length > 500 ? output[^500..] : output;
    }

    /// <summary>What the runtime tracks per replica container between passes (restarts, probe results).</summary>
    private sealed class ReplicaState(string name, JsonObject container)
    {
        public string Name { get; } = name;
        public JsonObject Container { get; } = container;
        public Dictionary<int, int> HostPorts { get; } = [];
        public bool Ready { get; set; }
        public int Restarts { get; set; }
        public DateTimeOffset? NextRestartAt { get; set; }
        public int LastExitCode { get; set; }
        public string LastOutput { get; set; } = "";
        public DateTimeOffset? LastReadiness { get; set; }
        public DateTimeOffset? LastLiveness { get; set; }
        public int ProbeSuccesses { get; set; }
        public int ReadinessFailures { get; set; }
        public int LivenessFailures { get; set; }
        public DateTimeOffset? DrainingSince { get; set; }
    }
}
