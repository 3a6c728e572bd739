using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Agent;
using OpenChoreo.Controllers;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Gateway;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Testing;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Tunnel.Tests;

/// <summary>
/// Release delivery end to end: Releases written to the real store, the real gateway(s) with release delivery and the
/// release controller, real enrolled agents over the real mTLS tunnel; the only double is the agent's
/// <see cref="InMemoryReleaseRuntime"/> at the runtime boundary.
/// </summary>
public sealed class ReleaseDeliveryTests
{
    private static readonly PlaneIdentity Dp = new("acme", "dataplane", "dp1");
    private static readonly ResourceKey WebDev = new("Release", "acme", "web-dev");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    internal static Task<TestControlPlane> StartAsync(string? dataDir = null, string? postgres = null, string replica = "a",
        IDictionary<string, string?>? extra = null) =>
        TestControlPlane.StartAsync(dataDir: dataDir, postgres: postgres, settings: new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>())
        {
            ["clusterGateway:replicaId"] = replica,
            ["controllers:leaderElection:leaseDuration"] = "00:00:02",
            ["controllers:leaderElection:retryPeriod"] = "00:00:00.200",
        }, configure: (services, configuration) =>
        {
            services.AddReleaseDelivery();
            services.AddControllerRuntime(configuration);
            services.AddSingleton<IReconciler, ReleaseReconciler>();
        });

    internal static ResourceObject Release(string image, string plane = "dp1", string name = "web-dev") => new(new JsonObject
    {
        ["apiVersion"] = "openchoreo.dev/v1alpha1",
        ["kind"] = "Release",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = WebDev.Namespace,
            ["labels"] = new JsonObject
            {
                [Labels.Project] = "shop",
                [Labels.Component] = "web",
                [Labels.Environment] = "dev",
                [Labels.DataPlane] = plane,
            },
        },
        ["spec"] = new JsonObject
        {
            ["owner"] = new JsonObject { ["projectName"] = "shop", ["componentName"] = "web" },
            ["environmentName"] = "dev",
            ["resources"] = new JsonArray
            {
                new JsonObject
                {
                    ["id"] = "deployment",
                    ["object"] = new JsonObject
                    {
                        ["apiVersion"] = "apps/v1",
                        ["kind"] = "Deployment",
                        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "dp-acme-shop-dev" },
                        ["spec"] = new JsonObject { ["image"] = image },
                    },
                },
                new JsonObject
                {
                    ["id"] = "service",
                    ["object"] = new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "Service",
                        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "dp-acme-shop-dev" },
                    },
                },
            },
        },
    });

    /// <summary>Polls the store until <paramref name="condition"/> holds for the object (or its absence).</summary>
    private static async Task<ResourceObject?> WaitForAsync(IResourceStore store, ResourceKey key, Func<ResourceObject?, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var obj = await store.GetAsync(key);
            if (condition(obj)) return obj;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting until {what}; last state: {obj?.Node.ToJsonString() ?? "(none)"}");
            await Task.Delay(20);
        }
    }

    private static bool ReadyIs(ResourceObject? r, string status, string reason, long? generation = null) =>
        r is not null && Conditions.Get(r, ReleaseStatusNames.Ready) is { } c && c.Status == status && c.Reason == reason &&
        (generation is null || c.ObservedGeneration == generation);

    internal static bool Holds(InMemoryReleaseRuntime runtime, ResourceObject release) =>
        runtime.Releases.TryGetValue(release.Name, out var held) && held.Generation == release.Generation && held.Checksum == ReleaseChecksum.Of(release);

    [Fact]
    public void The_checksum_is_SHA256_of_canonical_resources_independent_of_key_order()
    {
        var a = JsonNode.Parse("""[{"id":"x","object":{"kind":"Service","metadata":{"name":"web","namespace":"n"}}}]""");
        var b = JsonNode.Parse("""[{"object":{"metadata":{"namespace":"n","name":"web"},"kind":"Service"},"id":"x"}]""");
        var c = JsonNode.Parse("""[{"id":"x","object":{"kind":"Service","metadata":{"name":"web2","namespace":"n"}}}]""");
        ReleaseChecksum.Of(a).ShouldBe(ReleaseChecksum.Of(b));
        ReleaseChecksum.Of(a).ShouldNotBe(ReleaseChecksum.Of(c));
        var canonical = """[{"id":"x","object":{"kind":"Service","metadata":{"name":"web","namespace":"n"}}}]""";
        ReleaseChecksum.Of(a).ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical))));
        ReleaseChecksum.Of((JsonNode?)null).ShouldBe(ReleaseChecksum.Of(new JsonArray()));
    }

    [Fact]
    public async Task A_release_is_applied_reported_Healthy_reapplied_when_changed_and_removed_with_its_finalizer_when_deleted()
    {
        await using var cp = await StartAsync();
        var (_, runtime) = await cp.StartAgentAsync(Dp);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp), "the agent is connected", Timeout);

        var created = await cp.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, created), "the agent holds generation 1", Timeout);
        var ready = await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered, 1), "Ready=True/Delivered");
        ready!.Finalizers.ShouldContain(ReleaseStatusNames.Finalizer);
        var resources = ready.Status!["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        resources.Select(r => (string?)r["id"]).ShouldBe(["deployment", "service"]);
        resources[0]["group"]!.GetValue<string>().ShouldBe("apps");
        resources[0]["version"]!.GetValue<string>().ShouldBe("v1");
        resources[0]["kind"]!.GetValue<string>().ShouldBe("Deployment");
        resources[0]["namespace"]!.GetValue<string>().ShouldBe("dp-acme-shop-dev");
        resources[1]["group"]!.GetValue<string>().ShouldBe("");
        resources.ShouldAllBe(r => (string?)r["healthStatus"] == "Healthy" && r["lastObservedTime"] != null);

        // A change of spec: generation 2 and a new checksum are delivered; Ready follows the new generation.
        var update = ready.DeepClone();
        update.Spec!["resources"]![0]!["object"]!["spec"]!["image"] = "web:2";
        var updated = await cp.Store.UpdateAsync(update);
        updated.Generation.ShouldBe(2);
        await Eventually.WaitUntilAsync(() => Holds(runtime, updated), "the agent holds generation 2", Timeout);
        await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered, 2), "Ready=True/Delivered for generation 2");

        // Health comes from the agent, per resource.
        runtime.SetHealth(WebDev.Name, "Degraded", "CrashLoopBackOff");
        var degraded = await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "False", ReleaseStatusNames.Degraded, 2), "Ready=False/Degraded");
        Conditions.Get(degraded!, ReleaseStatusNames.Ready)!.Message.ShouldBe("CrashLoopBackOff");
        degraded!.Status!["resources"]!.AsArray().ShouldAllBe(r => (string?)r!["healthStatus"] == "Degraded");

        // An identical report writes nothing: between the Degraded write and the next real change there is one write only.
        var reports = 0;
        cp.Gateway.StatusReported += (_, _) => Interlocked.Increment(ref reports);
        runtime.SetHealth(WebDev.Name, "Degraded", "CrashLoopBackOff");
        await Eventually.WaitUntilAsync(() => Volatile.Read(ref reports) > 0, "the identical report arrived", Timeout);
        runtime.SetHealth(WebDev.Name, "Healthy"); // the agent sends it after the identical one was answered (and written)
        var writes = 0;
        using (var stop = new CancellationTokenSource(Timeout))
        {
            await foreach (var e in cp.Store.WatchAsync(new ListOptions("Release", "acme"), long.Parse(degraded.ResourceVersion!), stop.Token))
            {
                if (e.Type != WatchEventType.Modified || e.Object.Name != WebDev.Name) continue;
                writes++;
                if (ReadyIs(e.Object, "True", ReleaseStatusNames.Delivered, 2)) break;
            }
        }
        writes.ShouldBe(1);

        await cp.Store.DeleteAsync(WebDev);
        await Eventually.WaitUntilAsync(() => !runtime.Releases.ContainsKey(WebDev.Name), "the agent no longer holds the release", Timeout);
        await WaitForAsync(cp.Store, WebDev, r => r is null, "the release is gone (finalizer released)");
    }

    [Fact]
    public async Task Changes_made_while_the_agent_is_away_are_delivered_when_it_reconnects()
    {
        await using var cp = await StartAsync();
        await cp.CreatePlaneAsync(Dp);
        var creds = await cp.EnrollAsync(Dp);
        var runtime = new InMemoryReleaseRuntime();
        var agent = cp.RunAgent(creds, runtime);
        var v1 = await cp.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, v1), "the agent holds generation 1", Timeout);
        var delivered = await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered, 1), "Ready=True/Delivered");

        await cp.StopAgentAsync(agent);
        await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "False", ReleaseStatusNames.AgentDisconnected), "Ready=False/AgentDisconnected");
        var update = (await cp.Store.GetAsync(WebDev))!;
        update.Spec!["resources"]![0]!["object"]!["spec"]!["image"] = "web:2";
        var v2 = await cp.Store.UpdateAsync(update);
        runtime.Releases[WebDev.Name].Generation.ShouldBe(1); // nobody to deliver to

        cp.RunAgent(creds, runtime); // the same plane, holding generation 1, comes back and resyncs
        await Eventually.WaitUntilAsync(() => Holds(runtime, v2), "the agent holds generation 2 after resync", Timeout);
        await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered, 2), "Ready=True/Delivered for generation 2");
        delivered!.Generation.ShouldBe(1);
    }

    [Fact]
    public async Task A_release_deleted_while_its_plane_is_away_is_removed_on_reconnect()
    {
        await using var cp = await StartAsync();
        await cp.CreatePlaneAsync(Dp);
        var creds = await cp.EnrollAsync(Dp);
        var runtime = new InMemoryReleaseRuntime();
        var agent = cp.RunAgent(creds, runtime);
        var v1 = await cp.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, v1), "the agent holds the release", Timeout);
        await WaitForAsync(cp.Store, WebDev, r => r?.Finalizers.Contains(ReleaseStatusNames.Finalizer) == true, "the finalizer is set");

        await cp.StopAgentAsync(agent);
        await cp.Store.DeleteAsync(WebDev);
        await WaitForAsync(cp.Store, WebDev, r => r is not null && Conditions.Get(r, ReleaseStatusNames.Finalizing) is { Reason: ReleaseStatusNames.WaitingForAgent },
            "Finalizing=False/WaitingForAgent (the release waits for its agent)");
        runtime.Releases.ShouldContainKey(WebDev.Name);

        cp.RunAgent(creds, runtime);
        await Eventually.WaitUntilAsync(() => !runtime.Releases.ContainsKey(WebDev.Name), "the agent removed the release after resync", Timeout);
        await WaitForAsync(cp.Store, WebDev, r => r is null, "the release is gone");
    }

    [Fact]
    public async Task A_release_whose_DataPlane_is_deleted_while_the_agent_is_away_ends_Orphaned_and_is_gone()
    {
        await using var cp = await StartAsync();
        var (agent, runtime) = await cp.StartAgentAsync(Dp);
        var v1 = await cp.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, v1), "the agent holds the release", Timeout);
        await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered), "Ready=True/Delivered");

        await cp.StopAgentAsync(agent);
        await cp.Store.DeleteAsync(WebDev);
        await WaitForAsync(cp.Store, WebDev, r => r is not null && Conditions.Get(r, ReleaseStatusNames.Finalizing) is { Reason: ReleaseStatusNames.WaitingForAgent },
            "the release waits for its agent");

        // Watch the release from here so the Orphaned state before it goes is seen, not guessed.
        using var watchStop = new CancellationTokenSource(Timeout);
        var revision = await cp.Store.GetRevisionAsync();
        var seen = new List<WatchEvent>();
        var watch = Task.Run(async () =>
        {
            await foreach (var e in cp.Store.WatchAsync(new ListOptions("Release", "acme"), revision, watchStop.Token))
            {
                seen.Add(e);
                if (e.Type == WatchEventType.Deleted) return;
            }
        });
        await cp.Store.DeleteAsync(PlaneKinds.KeyOf(Dp));
        await WaitForAsync(cp.Store, WebDev, r => r is null, "the release is gone, not stuck");
        await watch;
        seen.ShouldContain(e => e.Type == WatchEventType.Modified && ReadyIs(e.Object, "False", ReleaseStatusNames.Orphaned));
        runtime.Releases.ShouldContainKey(WebDev.Name); // the plane never came back: nobody removed it there
    }

    [Fact]
    public async Task A_release_for_a_missing_DataPlane_says_so_and_is_deleted_without_waiting()
    {
        await using var cp = await StartAsync();
        await cp.EnsureOrganizationAsync(WebDev.Namespace);
        await cp.Store.CreateAsync(Release("web:1", plane: "nowhere"));
        var r = await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "False", ReleaseStatusNames.DataPlaneNotFound), "Ready=False/DataPlaneNotFound");
        r!.Finalizers.ShouldContain(ReleaseStatusNames.Finalizer);
        Conditions.Get(r, ReleaseStatusNames.Ready)!.Message.ShouldBe("DataPlane \"nowhere\" not found in namespace \"acme\"");
        await cp.Store.DeleteAsync(WebDev);
        await WaitForAsync(cp.Store, WebDev, r => r is null, "the release is gone");
    }

    /// <summary>A Release labelled for observability plane <paramref name="plane"/> instead of a data plane.</summary>
    private static ResourceObject ObservabilityRelease(string plane, string name = "web-dev-observability")
    {
        var r = Release("alerts:1", name: name);
        var labels = (JsonObject)r.Metadata["labels"]!;
        labels.Remove(Labels.DataPlane);
        labels[Labels.ObservabilityPlane] = plane;
        return r;
    }

    [Fact]
    public async Task An_observability_plane_agent_runs_only_its_releases_reports_them_Ready_and_removes_them_on_delete()
    {
        await using var cp = await StartAsync();
        // Same name as the data plane on purpose: the plane type alone must keep the two apart.
        var obsId = new PlaneIdentity("acme", "observabilityplane", "dp1");
        var (_, dataRuntime) = await cp.StartAgentAsync(Dp);
        var (_, obsRuntime) = await cp.StartAgentAsync(obsId);
        var data = await cp.Store.CreateAsync(Release("web:1"));
        var obs = await cp.Store.CreateAsync(ObservabilityRelease("dp1"));
        var obsKey = ResourceKey.Of(obs);
        await Eventually.WaitUntilAsync(() => Holds(dataRuntime, data) && Holds(obsRuntime, obs), "each agent holds its release", Timeout);
        dataRuntime.Releases.Keys.ShouldBe([data.Name]);
        obsRuntime.Releases.Keys.ShouldBe([obs.Name]);

        var ready = await WaitForAsync(cp.Store, obsKey, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered), "the observability release is Ready=True/Delivered");
        ready!.Finalizers.ShouldContain(ReleaseStatusNames.Finalizer);
        Conditions.Get(ready, ReleaseStatusNames.Ready)!.Message.ShouldBe($"Healthy on observabilityplane dp1 (generation {ready.Generation})");
        ((JsonArray)ready.Status!["resources"]!).Count.ShouldBe(2);

        await cp.Store.DeleteAsync(obsKey);
        await WaitForAsync(cp.Store, obsKey, r => r is null, "the observability release is gone after its agent removed it");
        obsRuntime.Releases.ShouldBeEmpty();
        Holds(dataRuntime, data).ShouldBeTrue();
    }

    [Fact]
    public async Task A_release_for_a_missing_ObservabilityPlane_says_so_and_a_deleted_one_takes_its_releases_off_the_agent()
    {
        await using var cp = await StartAsync();
        await cp.EnsureOrganizationAsync(WebDev.Namespace);
        var lost = await cp.Store.CreateAsync(ObservabilityRelease("nowhere", name: "lost"));
        var r = await WaitForAsync(cp.Store, ResourceKey.Of(lost), r => ReadyIs(r, "False", ReleaseStatusNames.ObservabilityPlaneNotFound),
            "Ready=False/ObservabilityPlaneNotFound");
        Conditions.Get(r!, ReleaseStatusNames.Ready)!.Message.ShouldBe("ObservabilityPlane \"nowhere\" not found in namespace \"acme\"");

        var obsId = new PlaneIdentity("acme", "observabilityplane", "obs1");
        var (agent, runtime) = await cp.StartAgentAsync(obsId);
        var obs = await cp.Store.CreateAsync(ObservabilityRelease("obs1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, obs), "the agent holds the release", Timeout);
        await cp.Store.DeleteAsync(PlaneKinds.KeyOf(obsId));
        // plane.deleted: the agent removes what it ran; the Release stays, not Ready for want of its plane.
        await Eventually.WaitUntilAsync(() => runtime.Releases.Count == 0, "the decommissioned agent holds nothing", Timeout);
        await WaitForAsync(cp.Store, ResourceKey.Of(obs), r => ReadyIs(r, "False", ReleaseStatusNames.ObservabilityPlaneNotFound),
            "the release says ObservabilityPlaneNotFound");
        agent.Decommissioned.ShouldBeTrue();
    }

    /// <summary>The in-memory runtime, refusing one release (a runtime failure at the boundary).</summary>
    private sealed class RefusingRuntime(InMemoryReleaseRuntime inner, string refused) : IReleaseRuntime
    {
        public event Action? Changed { add => inner.Changed += value; remove => inner.Changed -= value; }
        public Task<RuntimeInfo> GetInfoAsync(CancellationToken ct) => inner.GetInfoAsync(ct);
        public Task<bool> ApplyAsync(ApplyReleaseRequest release, CancellationToken ct) =>
            release.Name == refused ? throw new InvalidOperationException("refused") : inner.ApplyAsync(release, ct);
        public Task<bool> DeleteAsync(string name, CancellationToken ct) => inner.DeleteAsync(name, ct);
        public Task<IReadOnlyList<HeldRelease>> ListAsync(CancellationToken ct) => inner.ListAsync(ct);
        public Task<IReadOnlyList<ReleaseHealth>> GetHealthAsync(CancellationToken ct) => inner.GetHealthAsync(ct);
        public Task FollowLogsAsync(LogFollowRequest request, Func<ReadOnlyMemory<byte>, ValueTask> sink, CancellationToken ct) => inner.FollowLogsAsync(request, sink, ct);
    }

    [Fact]
    public async Task A_release_the_runtime_refuses_does_not_hold_back_the_others()
    {
        await using var cp = await StartAsync();
        await cp.CreatePlaneAsync(Dp);
        var runtime = new InMemoryReleaseRuntime();
        cp.RunAgent(await cp.EnrollAsync(Dp), new RefusingRuntime(runtime, "aaa-dev"));
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(Dp), "the agent is connected", Timeout);
        var bad = Release("web:1");
        bad.Metadata["name"] = "aaa-dev"; // sorts first, so it is tried first
        await cp.Store.CreateAsync(bad);
        var good = await cp.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, good), "the other release is applied", Timeout);
        await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered), "the other release is Ready");
        var refused = await WaitForAsync(cp.Store, WebDev with { Name = "aaa-dev" }, r => ReadyIs(r, "False", ReleaseStatusNames.Progressing), "the refused release stays Progressing");
        runtime.Releases.ShouldNotContainKey("aaa-dev");
        refused!.Status?["resources"].ShouldBeNull();
    }

    [Fact]
    public async Task A_plane_reporting_on_another_planes_release_changes_nothing()
    {
        await using var cp = await StartAsync();
        var (_, runtime) = await cp.StartAgentAsync(Dp);
        var v1 = await cp.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, v1), "the agent holds the release", Timeout);
        var before = await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered), "Ready=True/Delivered");

        var other = new PlaneIdentity("acme", "dataplane", "dp2");
        var plane = await cp.CreatePlaneAsync(other);
        await using var connection = await cp.RawConnectAsync(cp.SignFor(other, plane.Uid!));
        await connection.InvokeAsync(TunnelOperations.ReportStatus, new StatusReport
        {
            Releases = [new ReleaseHealth(WebDev.Name, v1.Generation, ReleaseChecksum.Of(v1), "Degraded", "forged")],
        });
        var after = await cp.Store.GetAsync(WebDev);
        after!.ResourceVersion.ShouldBe(before!.ResourceVersion);
        ReadyIs(after, "True", ReleaseStatusNames.Delivered).ShouldBeTrue();
    }

    [Fact]
    public async Task A_report_about_an_older_generation_or_another_resource_set_changes_nothing()
    {
        await using var cp = await StartAsync();
        var (_, runtime) = await cp.StartAgentAsync(Dp);
        var v1 = await cp.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, v1), "the agent holds generation 1", Timeout);
        var update = (await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered, 1), "Ready=True/Delivered"))!;
        update.Spec!["resources"]![0]!["object"]!["spec"]!["image"] = "web:2";
        var v2 = await cp.Store.UpdateAsync(update);
        await Eventually.WaitUntilAsync(() => Holds(runtime, v2), "the agent holds generation 2", Timeout);
        var before = await WaitForAsync(cp.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered, 2), "Ready=True/Delivered for generation 2");

        // A second connection of the same plane reports Degraded for what is no longer current.
        var plane = (await cp.GetPlaneAsync(Dp))!;
        await using var connection = await cp.RawConnectAsync(cp.SignFor(Dp, plane.Uid!));
        await connection.InvokeAsync(TunnelOperations.ReportStatus, new StatusReport
        {
            Releases =
            [
                new ReleaseHealth(WebDev.Name, v1.Generation, ReleaseChecksum.Of(v1), "Degraded", "old generation"),
                new ReleaseHealth(WebDev.Name, v2.Generation, ReleaseChecksum.Of(v1), "Degraded", "old resource set"),
            ],
        });
        var after = await cp.Store.GetAsync(WebDev);
        after!.ResourceVersion.ShouldBe(before!.ResourceVersion);
    }

    [Fact]
    public async Task Two_replicas_on_one_PostgreSQL_deliver_a_release_written_through_the_other_and_share_its_status()
    {
        var connection = await NewPostgresDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("oc-delivery-").FullName; // one platform CA for both replicas
        await using var a = await StartAsync(dir, connection, "replica-a");
        await using var b = await StartAsync(dir, connection, "replica-b");
        await b.CreatePlaneAsync(Dp);
        var creds = await b.EnrollAsync(Dp);
        var runtime = new InMemoryReleaseRuntime();
        b.RunAgent(creds, runtime);
        await Eventually.WaitUntilAsync(() => b.Gateway.IsConnected(Dp), "the agent is connected to replica B", Timeout);
        a.Gateway.IsConnected(Dp).ShouldBeFalse();

        var written = await a.Store.CreateAsync(Release("web:1"));
        await Eventually.WaitUntilAsync(() => Holds(runtime, written), "the agent (on B) holds the release written through A", Timeout);
        var ready = await WaitForAsync(a.Store, WebDev, r => ReadyIs(r, "True", ReleaseStatusNames.Delivered, 1), "Ready=True/Delivered, read through A");
        ready!.Status!["resources"]!.AsArray().Count.ShouldBe(2);

        await a.Store.DeleteAsync(WebDev);
        await Eventually.WaitUntilAsync(() => !runtime.Releases.ContainsKey(WebDev.Name), "the agent removed the release deleted through A", Timeout);
        await WaitForAsync(a.Store, WebDev, r => r is null, "the release is gone");
    }

    /// <summary>A fresh database on <c>$OPENCHOREO_TEST_POSTGRES</c> (set by ./openchoreo test).</summary>
    internal static async Task<string> NewPostgresDatabaseAsync()
    {
        var server = Environment.GetEnvironmentVariable("OPENCHOREO_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OPENCHOREO_TEST_POSTGRES is not set: run the tests with ./openchoreo test, which starts PostgreSQL");
        var db = "delivery_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new Npgsql.NpgsqlConnection(server))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"CREATE DATABASE {db}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = db }.ConnectionString;
    }
}
