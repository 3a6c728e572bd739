using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman.Tests;

public sealed class LifecycleTests(PodmanFixture podman)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Job_completes_and_a_failing_job_stops_at_its_backoff_limit()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("job"), ct: Ct);
        await runtime.ApplyAsync(Manifests.Release("ok", 1, Manifests.Job("cell-job", "migrate", "echo migrated")), Ct);
        await runtime.ApplyAsync(Manifests.Release("bad", 1, Manifests.Job("cell-job", "broken", "echo no database; exit 2", backoffLimit: 1)), Ct);
        await Wait.HealthAsync(runtime, "ok", "Healthy");
        runtime.GetResourceStatus("ok")!.Single().ShouldBe(new ResourceStatus("Job", "cell-job", "migrate", ResourceHealth.Healthy, "Complete"));
        await Wait.HealthAsync(runtime, "bad", "Degraded");
        var failed = runtime.GetResourceStatus("bad")!.Single();
        failed.Message!.ShouldStartWith("BackoffLimitExceeded: 2 failed attempts");
        failed.Message.ShouldContain("no database");
        (await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=job", "openchoreo.dev/release=bad")).Count.ShouldBe(2);
        await runtime.DeleteAsync("ok", Ct);
        await runtime.DeleteAsync("bad", Ct);
    }

    [Fact]
    public async Task ConfigMap_and_Secret_reach_env_and_files_and_secrets_stay_out_of_labels()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("cfg"), ct: Ct);
        var ns = "cell-cfg";
        var env = new JsonArray(
            new JsonObject { ["name"] = "GREETING", ["valueFrom"] = new JsonObject { ["configMapKeyRef"] = new JsonObject { ["name"] = "app", ["key"] = "greeting" } } },
            new JsonObject { ["name"] = "DB_PASSWORD", ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = "db", ["key"] = "password" } } });
        var envFrom = new JsonArray(new JsonObject { ["configMapRef"] = new JsonObject { ["name"] = "app" }, ["prefix"] = "CFG_" });
        var mounts = new JsonArray(
            new JsonObject { ["name"] = "config", ["mountPath"] = "/etc/app" },
            new JsonObject { ["name"] = "creds", ["mountPath"] = "/etc/creds", ["readOnly"] = true });
        var volumes = new JsonArray(
            new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = "app" } },
            new JsonObject { ["name"] = "creds", ["secret"] = new JsonObject { ["secretName"] = "db" } });
        var deployment = Manifests.Deployment(ns, "cfg", script: "exec /bin/busybox sleep 3600", env: env, envFrom: envFrom, mounts: mounts, volumes: volumes);
        await runtime.ApplyAsync(Manifests.Release("cfg", 1, deployment, Manifests.ConfigMap(ns, "app", ("greeting", "hello")), Manifests.Secret(ns, "db", ("password", "s3cret-value"))), Ct);
        await Wait.HealthAsync(runtime, "cfg", "Healthy");

        var id = (await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=cfg")).Single()!["Id"]!.GetValue<string>();
        var check = "test \"$GREETING\" = hello && test \"$CFG_greeting\" = hello && test \"$DB_PASSWORD\" = s3cret-value"
                    + " && test \"$(/bin/busybox cat /etc/app/greeting)\" = hello && test \"$(/bin/busybox cat /etc/creds/password)\" = s3cret-value"
                    + " && test \"$(/bin/busybox stat -c %a /etc/creds/password)\" = 600";
        (await podman.Client.ExecAsync(id, ["/bin/busybox", "sh", "-c", check], Ct)).ShouldBe(0);

        var inspect = (await podman.Client.InspectContainerAsync(id, Ct))!;
        inspect["Config"]!["Labels"]!.ToJsonString().ShouldNotContain("s3cret-value");
        inspect["Config"]!["Labels"]!["openchoreo.dev/component"]!.GetValue<string>().ShouldBe("cfg");
        inspect["Config"]!["Labels"]!["openchoreo.dev/project"]!.GetValue<string>().ShouldBe("p1");
        string.Join(";", runtime.GetResourceStatus("cfg")!.Select(s => s.Message)).ShouldNotContain("s3cret-value");
        // The persisted release (it holds the Secret) is owner-only.
        foreach (var file in Directory.GetFiles(Path.Combine(podman.Root, "cfg", "releases")))
            File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await runtime.DeleteAsync("cfg", Ct);
    }

    [Fact]
    public async Task Delete_leaves_no_container_network_or_volume()
    {
        await using var runtime = await PodmanReleaseRuntime.StartAsync(podman.Options("del"), ct: Ct);
        var ns = "cell-del";
        var deployment = Manifests.Deployment(ns, "store", script: "exec /bin/busybox sleep 3600",
            mounts: new JsonArray(new JsonObject { ["name"] = "data", ["mountPath"] = "/data" }, new JsonObject { ["name"] = "scratch", ["mountPath"] = "/scratch" }),
            volumes: new JsonArray(
                new JsonObject { ["name"] = "data", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = "store-data" } },
                new JsonObject { ["name"] = "scratch", ["emptyDir"] = new JsonObject() }));
        await runtime.ApplyAsync(Manifests.Release("del", 1, deployment, Manifests.Service(ns, "store", "store")), Ct);
        await Wait.HealthAsync(runtime, "del", "Healthy");
        (await podman.Client.ListVolumesAsync(Ct, "openchoreo.dev/plane=del")).Count.ShouldBe(1);
        (await podman.Client.ListNetworksAsync(Ct, "openchoreo.dev/plane=del")).Count.ShouldBe(1);

        (await runtime.DeleteAsync("del", Ct)).ShouldBeTrue();
        (await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=del")).ShouldBeEmpty();
        (await podman.Client.ListVolumesAsync(Ct, "openchoreo.dev/plane=del")).ShouldBeEmpty();
        (await podman.Client.ListNetworksAsync(Ct, "openchoreo.dev/plane=del")).ShouldBeEmpty();
        (await runtime.ListAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Restarted_runtime_adopts_running_containers_and_prunes_what_is_no_longer_desired()
    {
        var options = podman.Options("adopt");
        var ns = "cell-adopt";
        var runtime = await PodmanReleaseRuntime.StartAsync(options, ct: Ct);
        await runtime.ApplyAsync(Manifests.Release("a", 1, Manifests.Deployment(ns, "keep", replicas: 2), Manifests.Deployment(ns, "drop", script: "exec /bin/busybox sleep 3600")), Ct);
        await Wait.HealthAsync(runtime, "a", "Healthy");
        var before = await Snapshot("Deployment.cell-adopt.keep");
        before.Count.ShouldBe(2);
        await runtime.DisposeAsync();

        await using var restarted = await PodmanReleaseRuntime.StartAsync(podman.Options("adopt"), ct: Ct);
        (await restarted.ListAsync(Ct)).ShouldBe([new OpenChoreo.Tunnel.Operations.HeldRelease("a", 1, "c1")]);
        await Wait.HealthAsync(restarted, "a", "Healthy");
        (await Snapshot("Deployment.cell-adopt.keep")).ShouldBe(before);

        await restarted.ApplyAsync(Manifests.Release("a", 2, Manifests.Deployment(ns, "keep", replicas: 2)), Ct);
        await Wait.UntilAsync(async () => (await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=adopt", "openchoreo.dev/resource=Deployment.cell-adopt.drop")).Count == 0,
            TimeSpan.FromSeconds(20), () => "drop still runs");
        (await Snapshot("Deployment.cell-adopt.keep")).ShouldBe(before);
        await restarted.DeleteAsync("a", Ct);
    }

    [Fact]
    public void Options_are_validated_with_exact_errors()
    {
        Should.Throw<ArgumentException>(() => new PodmanRuntimeOptions().Validate()).Message.ShouldBe("PodmanRuntimeOptions.DataDirectory is required.");
        Should.Throw<ArgumentException>(() => new PodmanRuntimeOptions { DataDirectory = "rel" }.Validate()).Message.ShouldBe("PodmanRuntimeOptions.DataDirectory must be an absolute path.");
        Should.Throw<ArgumentException>(() => new PodmanRuntimeOptions { DataDirectory = "/x", ContainersConfPath = "/no/such.conf" }.Validate())
            .Message.ShouldBe("PodmanRuntimeOptions.ContainersConfPath '/no/such.conf' does not exist.");
        Should.Throw<ArgumentException>(() => new PodmanRuntimeOptions { DataDirectory = "/x", StopTimeoutSeconds = -1 }.Validate()).Message.ShouldBe("PodmanRuntimeOptions.StopTimeoutSeconds must not be negative.");
        Should.Throw<ArgumentException>(() => new PodmanRuntimeOptions { DataDirectory = "/x", PlaneId = "" }.Validate()).Message.ShouldBe("PodmanRuntimeOptions.PlaneId must be 1 to 63 characters.");
        Should.Throw<ArgumentException>(() => new PodmanRuntimeOptions { DataDirectory = "/x", CrashLoopRestarts = 0 }.Validate()).Message.ShouldBe("PodmanRuntimeOptions.CrashLoopRestarts must be at least 1.");
    }

    private async Task<List<string>> Snapshot(string resource)
    {
        var result = new List<string>();
        foreach (var c in await podman.Client.ListContainersAsync(Ct, "openchoreo.dev/plane=adopt", "openchoreo.dev/resource=" + resource))
        {
            var inspect = (await podman.Client.InspectContainerAsync(c!["Id"]!.GetValue<string>(), Ct))!;
            result.Add($"{inspect["Id"]} {inspect["State"]!["StartedAt"]}");
        }
        result.Sort(StringComparer.Ordinal);
        return result;
    }
}
