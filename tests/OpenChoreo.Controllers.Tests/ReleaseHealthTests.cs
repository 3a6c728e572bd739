using System.Text.Json.Nodes;
using OpenChoreo.Model;
using R = OpenChoreo.Controllers.ReleaseBindingReasons;

namespace OpenChoreo.Controllers.Tests;

/// <summary>The workload-type-aware mapping from reported health to ResourcesReady.</summary>
public sealed class ReleaseHealthTests
{
    private static ResourceObject Release(string kind, string health, string? readyReason = null)
    {
        var r = new ResourceObject(new JsonObject
        {
            ["kind"] = "Release",
            ["metadata"] = new JsonObject { ["name"] = "r", ["generation"] = 1 },
            ["spec"] = new JsonObject { ["resources"] = new JsonArray(new JsonObject { ["id"] = "x" }) },
            ["status"] = new JsonObject
            {
                ["resources"] = new JsonArray(
                    new JsonObject { ["kind"] = kind, ["name"] = "w", ["healthStatus"] = health },
                    new JsonObject { ["kind"] = "ExternalSecret", ["name"] = "s", ["healthStatus"] = "Unknown" }),
            },
        });
        if (readyReason is not null) Conditions.Set(r, new Condition("Ready", Condition.False, readyReason, "plane gone", 1), DateTimeOffset.UnixEpoch);
        return r;
    }

    [Theory]
    [InlineData("deployment", "Deployment", "Healthy", "True", R.ResourcesReady)]
    [InlineData("deployment", "Deployment", "Progressing", "False", R.ResourcesProgressing)]
    [InlineData("deployment", "Deployment", "Unknown", "False", R.ResourcesProgressing)]
    [InlineData("deployment", "Deployment", "Degraded", "False", R.ResourcesDegraded)]
    [InlineData("deployment", "Deployment", "Suspended", "True", R.ReadyWithSuspendedResources)]
    [InlineData("statefulset", "StatefulSet", "Healthy", "True", R.ResourcesReady)]
    [InlineData("cronjob", "CronJob", "Healthy", "True", R.CronJobScheduled)]
    [InlineData("cronjob", "CronJob", "Suspended", "True", R.CronJobSuspended)]
    [InlineData("cronjob", "CronJob", "Degraded", "False", R.ResourcesDegraded)]
    [InlineData("job", "Job", "Healthy", "True", R.JobCompleted)]
    [InlineData("job", "Job", "Progressing", "False", R.JobRunning)]
    [InlineData("job", "Job", "Degraded", "False", R.JobFailed)]
    [InlineData("deployment", "CronJob", "Healthy", "False", R.ResourcesProgressing)] // the primary is not reported yet
    public void The_primary_workload_decides(string workloadType, string kind, string health, string status, string reason)
    {
        var c = ReleaseHealth.Evaluate(Release(kind, health), workloadType);
        (c.Type, c.Status, c.Reason).ShouldBe((R.ResourcesReady, status, reason));
    }

    [Fact]
    public void A_delivery_problem_overrides_stale_health_and_no_release_is_not_ready()
    {
        var c = ReleaseHealth.Evaluate(Release("Deployment", "Healthy", readyReason: "Orphaned"), "deployment");
        (c.Status, c.Reason, c.Message).ShouldBe((Condition.False, "Orphaned", "release r: plane gone"));
        ReleaseHealth.Evaluate(null, "deployment").Reason.ShouldBe(R.ReleaseNotCreated);
    }

    [Fact]
    public void Suspend_scales_workloads_and_leaves_other_kinds_alone()
    {
        var d = new JsonObject { ["kind"] = "Deployment", ["spec"] = new JsonObject { ["replicas"] = 3 } };
        var cj = new JsonObject { ["kind"] = "CronJob", ["spec"] = new JsonObject { ["schedule"] = "* * * * *" } };
        var cm = new JsonObject { ["kind"] = "ConfigMap", ["data"] = new JsonObject() };
        ReleaseBindingRender.Suspend(d);
        ReleaseBindingRender.Suspend(cj);
        ReleaseBindingRender.Suspend(cm);
        d.ToJsonString().ShouldBe("""{"kind":"Deployment","spec":{"replicas":0}}""");
        cj.ToJsonString().ShouldBe("""{"kind":"CronJob","spec":{"schedule":"* * * * *","suspend":true}}""");
        cm.ToJsonString().ShouldBe("""{"kind":"ConfigMap","data":{}}""");
    }
}
