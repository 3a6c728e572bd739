using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Testing;

namespace OpenChoreo.MultiCluster.Tests;

/// <summary>
/// One control plane and two data planes in three network namespaces (see <see cref="Clusters"/>): each environment's
/// releases reach only its own cluster's agent, plane status is live per cluster, and a network partition of one
/// cluster is seen within two heartbeat intervals and healed by resync, while the other cluster is untouched.
/// </summary>
public sealed class MultiClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private static string Resource(string file) => Path.Combine(AppContext.BaseDirectory, "Resources", file);

    [Fact]
    public async Task Each_environment_runs_in_its_own_cluster_and_a_partitioned_cluster_catches_up_after_it_heals()
    {
        Assert.SkipWhen(NetworkNamespace.Unavailable() is not null, "multi-cluster test skipped: " + NetworkNamespace.Unavailable());
        await using var clusters = await Clusters.StartAsync(Ct);
        try
        {
            await RunAsync(clusters);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\nprocess output:\n{clusters.Logs()}", e);
        }
    }

    private static async Task RunAsync(Clusters clusters)
    {
        // The topology as resources: two DataPlanes, development → east, production → west, one pipeline between them.
        // A fresh installation's default environments point at a plane called "default" (and dataPlaneRef cannot
        // change): an operator replaces them.
        var (code, output, err) = await clusters.OccAsync("delete", "environment", "development", "production");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        await Eventually.WaitUntilAsync(async () => await clusters.TryGetAsync("Environment", "development", Ct) is null && await clusters.TryGetAsync("Environment", "production", Ct) is null,
            "the default environments are gone", Settle, Ct, Poll);
        (code, output, err) = await clusters.OccAsync("apply", "-f", Resource("regions.yaml"));
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        output.ShouldContain("dataplane.openchoreo.dev/east created");

        var east = await clusters.StartAgentAsync("east", Ct);
        var west = await clusters.StartAgentAsync("west", Ct);
        foreach (var plane in new[] { "east", "west" })
        {
            await WaitConnectedAsync(clusters, plane, "True");
            var agent = (await clusters.GetAsync("DataPlane", plane, Ct)).Status!["agent"]!;
            ((string?)agent["runtime"]?["kind"]).ShouldBe("memory", $"{plane} reports its agent's runtime");
            ((string?)agent["version"]).ShouldNotBeNullOrEmpty();
            ((int?)agent["connections"]).ShouldBe(1);
            ((string?)agent["lastHeartbeatTime"]).ShouldNotBeNull();
        }
        // The agents dial out; nothing listens on the data-plane side of the network.
        foreach (var (plane, ns) in clusters.PlaneNs) Listeners(ns).ShouldBeEmpty($"nothing listens in the {plane} cluster");
        var eastConnectedSince = (string?)(await clusters.ConditionAsync("DataPlane", "east", "Connected", Ct))!["lastTransitionTime"];

        // Development's release goes to the east cluster only.
        (code, _, err) = await clusters.OccAsync("apply", "-f", Resource("catalog.yaml"));
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        await WaitReleaseReadyAsync(clusters, "catalog-development", "east");
        await east.WaitForLineAsync(Holding("catalog-development"), "the east agent holds the development release", Settle, Ct);
        west.Lines.ShouldNotContain(l => l.Contains("catalog-", StringComparison.Ordinal), "the development release must not reach west");

        // Promotion to production goes to the west cluster only.
        (code, _, err) = await clusters.OccAsync("promote", "catalog", "--from", "development", "--to", "production");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        await WaitReleaseReadyAsync(clusters, "catalog-production", "west");
        await west.WaitForLineAsync(Holding("catalog-production"), "the west agent holds the production release", Settle, Ct);
        east.Lines.ShouldNotContain(l => l.Contains("catalog-production", StringComparison.Ordinal), "the production release must not reach east");
        var deliveredGeneration = (await clusters.GetAsync("Release", "catalog-production", Ct)).Generation;

        // Partition: the west cluster's link goes down. Its plane turns Disconnected within two heartbeat intervals.
        var cut = DateTimeOffset.UtcNow;
        clusters.PlaneNs["west"].IpIn("link", "set", "eth0", "down");
        await WaitConnectedAsync(clusters, "west", "False", Clusters.HeartbeatInterval * 2 + TimeSpan.FromSeconds(5));
        var lost = (await clusters.ConditionAsync("DataPlane", "west", "Connected", Ct))!;
        var noticedAfter = Time(lost["lastTransitionTime"]) - cut;
        noticedAfter.ShouldBeLessThanOrEqualTo(Clusters.HeartbeatInterval * 2, $"west was marked Disconnected {noticedAfter.TotalSeconds:0.00}s after the cut");
        var eastNow = (await clusters.ConditionAsync("DataPlane", "east", "Connected", Ct))!;
        ((string?)eastNow["status"]).ShouldBe("True", "east stays Connected while west is cut off");
        ((string?)eastNow["lastTransitionTime"]).ShouldBe(eastConnectedSince, "east never flapped");

        // Both ends give the silent connection up (no frame for two intervals), and the agent's redials fail: from
        // here on, only a new connection and its resync can bring west what changes next.
        await west.WaitForLineAsync(l => l.Contains("Disconnected from the cluster gateway", StringComparison.Ordinal), "the west agent drops its dead connection", Settle, Ct);
        await clusters.ControlPlane.WaitForLineAsync(l => l.Contains("dataplane/west disconnected", StringComparison.Ordinal), "the gateway drops west's dead connection", Settle, Ct);
        await west.WaitForLineAsync(l => l.Contains("Could not connect to the cluster gateway", StringComparison.Ordinal), "the west agent fails to redial while cut off", Settle, Ct);

        // Desired state for production changes while west is away: a new workload revision, deployed to development
        // (east, reachable) and promoted to production (west, unreachable).
        var revised = (await File.ReadAllTextAsync(Resource("catalog.yaml"), Ct)).Replace("value: \"1\"", "value: \"2\"", StringComparison.Ordinal);
        var revisedFile = Path.Combine(clusters.Dir, "catalog-2.yaml");
        await File.WriteAllTextAsync(revisedFile, revised, Ct);
        (code, _, err) = await clusters.OccAsync("apply", "-f", revisedFile);
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        await Eventually.WaitUntilAsync(async () => (await clusters.GetAsync("Release", "catalog-development", Ct)).Spec!.ToJsonString().Contains("\"2\"", StringComparison.Ordinal),
            "development's Release carries the new revision", Settle, Ct, Poll);
        await WaitReleaseReadyAsync(clusters, "catalog-development", "east");
        (code, _, err) = await clusters.OccAsync("promote", "catalog", "--from", "development", "--to", "production");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        long pending = 0;
        await Eventually.WaitUntilAsync(async () => (pending = (await clusters.GetAsync("Release", "catalog-production", Ct)).Generation) > deliveredGeneration,
            "production's Release changes", Settle, Ct, Poll);
        var stale = await clusters.ConditionAsync("Release", "catalog-production", "Ready", Ct);
        // No agent can have reported the new generation: it is not Ready for it.
        ((string?)stale?["status"] == "True" && (long?)stale["observedGeneration"] == pending).ShouldBeFalse($"production Ready while west is away: {stale?.ToJsonString()}");
        Log($"production's Ready while west is away: {stale?.ToJsonString()}");
        west.Lines.ShouldNotContain(l => l.Contains($"catalog-production generation {pending}", StringComparison.Ordinal));

        // Heal: the link comes back; the agent reconnects on its own, resyncs, and applies what it missed.
        var healed = DateTimeOffset.UtcNow;
        clusters.PlaneNs["west"].IpIn("link", "set", "eth0", "up");
        await WaitConnectedAsync(clusters, "west", "True", TimeSpan.FromSeconds(60));
        var back = await clusters.GetAsync("DataPlane", "west", Ct);
        var shownAfter = Time(((back.Status!["conditions"] as JsonArray)!.OfType<JsonObject>().First(c => (string?)c["type"] == "Connected"))["lastTransitionTime"])
            - Time(back.Status!["agent"]!["lastConnectedTime"]);
        shownAfter.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(1), "Connected is shown within 1 s of the reconnect");
        await west.WaitForLineAsync(l => l.Contains($"Holding release catalog-production generation {pending}", StringComparison.Ordinal),
            "the west agent applies the production change it missed", Settle, Ct);
        var westLines = west.Lines.ToList();
        var reconnected = westLines.FindLastIndex(l => l.Contains("Connected to the cluster gateway", StringComparison.Ordinal));
        westLines.Count(l => l.Contains("Connected to the cluster gateway", StringComparison.Ordinal)).ShouldBe(2, "west connected once, then once more after the cut");
        westLines.FindIndex(l => l.Contains($"catalog-production generation {pending}", StringComparison.Ordinal)).ShouldBeGreaterThan(reconnected,
            "the missed change arrived over the new connection");
        await WaitReleaseReadyAsync(clusters, "catalog-production", "west", pending);
        Log($"west Disconnected {noticedAfter.TotalSeconds:0.00}s after the cut; production generation {pending} Ready {(DateTimeOffset.UtcNow - healed).TotalSeconds:0.00}s after the link came back");
        Log(clusters.Logs());
        east.Lines.Count(l => l.Contains("Connected to the cluster gateway", StringComparison.Ordinal)).ShouldBe(1, "east kept its one connection throughout");
        east.Lines.ShouldNotContain(l => l.Contains("catalog-production", StringComparison.Ordinal));
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    private static Func<string, bool> Holding(string release) => l => l.Contains($"Holding release {release} generation", StringComparison.Ordinal);

    private static Task WaitConnectedAsync(Clusters clusters, string plane, string status, TimeSpan? timeout = null) =>
        Eventually.WaitUntilAsync(async () => (string?)(await clusters.ConditionAsync("DataPlane", plane, "Connected", Ct))?["status"] == status,
            $"DataPlane {plane} Connected={status}", timeout ?? Settle, Ct, Poll);

    /// <summary>Ready=True for the Release's current generation, as reported by the agent of <paramref name="plane"/>.</summary>
    private static async Task WaitReleaseReadyAsync(Clusters clusters, string release, string plane, long? generation = null)
    {
        await Eventually.WaitUntilAsync(async () =>
        {
            var obj = await clusters.TryGetAsync("Release", release, Ct);
            if (obj is null) return false;
            var ready = (obj.Status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Ready");
            return (string?)ready?["status"] == "True" && (long?)ready["observedGeneration"] == obj.Generation && (generation is null || obj.Generation == generation);
        }, $"Release {release} is Ready", Settle, Ct, Poll);
        var current = await clusters.GetAsync("Release", release, Ct);
        current.Labels["openchoreo.dev/dataplane"].ShouldBe(plane);
        ((string?)(await clusters.ConditionAsync("Release", release, "Ready", Ct))!["message"] ?? "").ShouldContain($"dataplane {plane}");
    }

    private static DateTimeOffset Time(JsonNode? node) =>
        DateTimeOffset.Parse((string?)node ?? throw new InvalidOperationException("no time"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>TCP listeners inside a namespace (<c>ss -Htln</c> there).</summary>
    private static List<string> Listeners(NetworkNamespace ns)
    {
        var psi = ns.Exec("ss", ["-Htln"]);
        psi.RedirectStandardOutput = true;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.ShouldBe(0);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
