using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Auth;
using OpenChoreo.Api.Tasks;
using OpenChoreo.Cli;
using OpenChoreo.Server;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// occ's delivery verbs end to end on a control plane of its own, where the bootstrap admin starts as the only user
/// (so it may approve its own promotions until a second user appears). No other test may issue tokens here.
/// </summary>
public sealed class DeliveryCliTests(ControlPlaneFixture cp) : IClassFixture<ControlPlaneFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(int Code, string Out, string Err)> Occ(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--config", cp.CliConfigPath, .. args], stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Deploy_promote_approve_and_status_from_the_cli()
    {
        ApprovalPolicy.BootstrapAdmin.ShouldBe(AdminAccessBootstrapper.AdminUser);
        var w = await DeliveryWorld.CreateAsync(cp);

        var deploy = await Occ("deploy", "greeter", "-n", w.Ns);
        deploy.Err.ShouldBeEmpty();
        deploy.Code.ShouldBe(0);
        deploy.Out.Trim().ShouldBe("deployed greeter-r3 to development (releasebinding greeter-development created)");

        var promote = await Occ("promote", "greeter", "--from", "development", "--to", "staging", "-n", w.Ns);
        promote.Code.ShouldBe(0);
        promote.Out.Trim().ShouldBe("promoted greeter-r3 from development to staging (releasebinding greeter-staging created)");

        var gated = await Occ("promote", "greeter", "--from", "staging", "--to", "production", "-n", w.Ns);
        gated.Code.ShouldBe(0);
        var name = (await w.Promotions()).ShouldHaveSingleItem().Name;
        gated.Out.Trim().ShouldBe($"promotion pending approval: {name} (greeter-r3 from staging to production; approve with 'occ approve {name}')");
        (await w.Binding("greeter-production")).ShouldBeNull();

        var get = await Occ("get", "promotions", "-n", w.Ns);
        get.Code.ShouldBe(0);
        var lines = get.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Cells(lines[0]).ShouldBe(["NAME", "COMPONENT", "FROM", "TO", "RELEASE", "PHASE", "REQUESTED", "BY", "AGE"]);
        Cells(lines[1])[..7].ShouldBe([name, "greeter", "staging", "production", "greeter-r3", "Pending", "admin"]);

        var releases = await Occ("get", "componentreleases", "-n", w.Ns);
        releases.Code.ShouldBe(0);
        releases.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => Cells(l)[0]).ShouldBe(["greeter-r1", "greeter-r2", "greeter-r3", "other-r1"]);
        var rendered = await Occ("get", "releases", "-n", w.Ns);
        rendered.Code.ShouldBe(0);
        rendered.Err.Trim().ShouldBe($"No resources found in {w.Ns} namespace.");

        var status = await Occ("status", "greeter", "-n", w.Ns);
        status.Code.ShouldBe(0);
        var rows = status.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Cells(rows[0]).ShouldBe(["ENVIRONMENT", "RELEASE", "STATE", "READY", "URL", "AGE"]);
        Cells(rows[1])[..5].ShouldBe(["development", "greeter-r3", "Active", "-", "-"]);
        Cells(rows[2])[..5].ShouldBe(["staging", "greeter-r3", "Active", "-", "-"]);
        Cells(rows[3]).ShouldBe(["production", "-", "NotDeployed", "-", "-", "-"]);
        rows[4].ShouldBe($"promotion pending approval: {name} (to production)");

        // The admin is the only user: it may approve its own request.
        var approve = await Occ("approve", name, "-n", w.Ns);
        approve.Err.ShouldBeEmpty();
        approve.Code.ShouldBe(0);
        approve.Out.Trim().ShouldBe($"promotion {name} approved: greeter-r3 deployed to production (releasebinding greeter-production created)");
        (await w.ReleaseOf("greeter-production")).ShouldBe("greeter-r3");

        var rollback = await Occ("rollback", "greeter", "--env", "production", "-n", w.Ns);
        rollback.Code.ShouldBe(0);
        rollback.Out.Trim().ShouldBe("rolled back greeter in production from greeter-r3 to greeter-r2 (releasebinding greeter-production updated)");

        var suspend = await Occ("suspend", "greeter", "--env", "production", "-n", w.Ns);
        suspend.Out.Trim().ShouldBe("suspended greeter in production (releasebinding greeter-production state Active → Suspend)");
        var bindings = await Occ("get", "releasebindings", "-n", w.Ns);
        bindings.Out.Split('\n').ShouldContain(l => l.StartsWith("greeter-production ") && Cells(l).Contains("greeter-r2") && Cells(l).Contains("Suspend"));

        // Once a second user exists, the admin's own request needs someone else.
        await cp.Services.GetRequiredService<ApiTokens>().IssueAsync("carol", Ct);
        await Occ("deploy", "greeter", "--env", "staging", "--release", "greeter-r1", "-n", w.Ns);
        (await Occ("promote", "greeter", "--from", "staging", "--to", "production", "-n", w.Ns)).Code.ShouldBe(0);
        var second = (await w.Promotions()).Single(p => (string?)p.Status?["phase"] == "Pending").Name;
        var refused = await Occ("approve", second, "-n", w.Ns);
        refused.Code.ShouldBe(1);
        refused.Err.Trim().ShouldBe($"Error from server (Forbidden): promotion \"{second}\" was requested by admin; another user must approve it (the bootstrap admin may approve its own requests only while it is the only user)");
        (await w.ReleaseOf("greeter-production")).ShouldBe("greeter-r2");

        var reject = await Occ("reject", second, "--reason", "not now", "-n", w.Ns);
        reject.Code.ShouldBe(0);
        reject.Out.Trim().ShouldBe($"promotion {second} rejected; production is unchanged");
    }

    [Fact]
    public async Task Cli_errors_carry_the_server_message()
    {
        var w = await DeliveryWorld.CreateAsync(cp);
        await Occ("deploy", "greeter", "-n", w.Ns);
        var bad = await Occ("promote", "greeter", "--from", "development", "--to", "production", "-n", w.Ns);
        bad.Code.ShouldBe(1);
        bad.Err.Trim().ShouldBe("Error from server (Invalid): cannot promote \"greeter\" from development to production: DeploymentPipeline \"pipe\" has no promotion path development → production (from development it allows: staging)");
        (await w.Binding("greeter-production")).ShouldBeNull();

        var help = await Occ("promote", "--help");
        help.Code.ShouldBe(0);
        help.Out.ShouldContain("--from");
        help.Out.ShouldContain("requires approval creates a pending Promotion");
    }
}
