using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Cli;
using OpenChoreo.Client;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>
/// <c>occ doctor</c> against real installations: a control plane with a connected agent, DNS served by a real bind9 for
/// example.test, and TLS checked on the real listener — once healthy, once broken in the ways the checklist names.
/// </summary>
public sealed class DoctorTests
{
    private const string Domain = BindServer.Zone; // example.test
    private static readonly string[] ControlHosts = [$"openchoreo.{Domain}", $"api.openchoreo.{Domain}", $"thunder.openchoreo.{Domain}"];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_healthy_installation_passes_every_check()
    {
        using var dns = await BindServer.StartAsync([.. ControlHosts, $"*.apps.openchoreo.{Domain}"]);
        await using var cp = await LiveInstallation.StartAsync([.. ControlHosts, $"*.apps.openchoreo.{Domain}"]);
        await cp.ConnectAgentAsync("default", "default", Domain);

        var (code, output, err) = await cp.OccAsync("doctor", "--domain", Domain, "--dns-server", dns.EndPoint.ToString(),
            "--https-port", cp.Port, "--apps-https-port", cp.Port, "--trust", cp.CaFile);
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        err.ShouldBeEmpty();
        output.ShouldNotContain("  FAIL  ", Case.Sensitive);
        output.ShouldNotContain("  WARN  ", Case.Sensitive);
        output.ShouldContain("passed, 0 warnings, 0 failed");
        output.ShouldContain("PASS  DataPlane default/default: connected (1 connection(s))");
        foreach (var host in ControlHosts) output.ShouldContain($"PASS  {host}: trusted, covers the name, valid until");
        output.ShouldContain($"PASS  doctor-probe.apps.openchoreo.{Domain}: apps wildcard *.apps.openchoreo.{Domain}: 127.0.0.1");
        code.ShouldBe(0);
    }

    [Fact]
    public async Task A_broken_installation_fails_each_broken_item_with_its_fix()
    {
        // thunder has no record, the certificate does not name api.openchoreo, and the data plane's agent never connected.
        using var dns = await BindServer.StartAsync([$"openchoreo.{Domain}", $"api.openchoreo.{Domain}"]);
        await using var cp = await LiveInstallation.StartAsync([$"openchoreo.{Domain}"]);
        await cp.CreateDataPlaneAsync("default", "default", Domain);

        var (code, output, _) = await cp.OccAsync("doctor", "--domain", Domain, "--dns-server", dns.EndPoint.ToString(),
            "--https-port", cp.Port, "--trust", cp.CaFile);
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        code.ShouldBe(1);
        output.ShouldContain("FAIL  DataPlane default/default: no agent has ever connected\n        fix: enroll an agent: occ plane join-token dataplane default -n default");
        output.ShouldContain($"FAIL  thunder.openchoreo.{Domain}: does not resolve (identity server)\n        fix: create an A record (or a CNAME on EKS) for thunder.openchoreo.{Domain}");
        output.ShouldContain($"FAIL  api.openchoreo.{Domain}: the certificate (CN=openchoreo-control-plane) does not cover api.openchoreo.{Domain}");
        output.ShouldContain($"PASS  openchoreo.{Domain}: trusted, covers the name");
        output.ShouldContain($"FAIL  doctor-probe.apps.openchoreo.{Domain}: does not resolve (apps wildcard *.apps.openchoreo.{Domain})");
    }

    [Fact]
    public async Task An_unreachable_control_plane_is_one_failure_with_the_fix()
    {
        var dir = Directory.CreateTempSubdirectory("occ-doctor-").FullName;
        var config = new ClientConfig { CurrentContext = "gone" };
        config.Upsert(new ClientContext { Name = "gone", Server = $"https://127.0.0.1:{LoopbackPorts.Free()}", Token = "x" }, makeCurrent: true);
        config.Save(Path.Combine(dir, "config"));
        using var stdout = new StringWriter();
        var code = await CliApp.RunAsync(["--config", Path.Combine(dir, "config"), "doctor"], stdout, new StringWriter(), new StringReader(""));

        code.ShouldBe(1);
        stdout.ToString().ShouldContain("FAIL  https://127.0.0.1:");
        stdout.ToString().ShouldContain("fix: start it ('./openchoreo up' or 'openchoreo control-plane')");
        stdout.ToString().ShouldContain("0 passed, 0 warnings, 1 failed");
    }
}
