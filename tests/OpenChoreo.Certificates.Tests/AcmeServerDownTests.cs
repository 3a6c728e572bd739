using System.Globalization;
using System.Text.Json.Nodes;
using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates.Tests;

[Collection(AcmeWorldCollection.Name)]
public sealed class AcmeServerDownTests(AcmeWorld world)
{
    [Fact]
    public async Task Acme_server_down_reports_AcmeServerUnavailable_backs_off_then_becomes_ready_once_the_issuer_points_at_a_live_server()
    {
        var closedPort = LoopbackPorts.Free(); // nothing listens there
        await using var host = await CertHost.StartAsync(world.Http01.Store);
        JsonObject Spec(string server) => new()
        {
            ["acme"] = new JsonObject
            {
                ["server"] = server,
                ["privateKeySecretRef"] = new JsonObject { ["name"] = "down-account" },
                ["caBundle"] = world.CaBundle,
                ["solvers"] = new JsonArray(new JsonObject { ["http01"] = new JsonObject() }),
            },
        };
        var issuer = await host.CreateAsync(CertHost.Obj("Issuer", "flaky", Spec($"https://127.0.0.1:{closedPort}/dir")));
        await host.CreateAsync(CertHost.Obj("Certificate", "down", CertHost.CertificateSpec("down-tls", "flaky", ["down.example.test"])));

        // Attempts are recorded with growing gaps (300 ms, 600 ms, 1.2 s … capped at 2 s in this host).
        var seen = new List<(long Attempts, DateTimeOffset At)>();
        await host.WaitForAsync("Certificate", "down", c =>
        {
            var n = c.Status?["failedAttempts"]?.GetValue<long>() ?? 0;
            if (n > 0 && (seen.Count == 0 || seen[^1].Attempts != n)) seen.Add((n, DateTimeOffset.UtcNow));
            return n >= 4;
        }, "four failed attempts", TimeSpan.FromSeconds(30));
        var cert = (await host.GetAsync("Certificate", "down"))!;
        var ready = CertHost.Ready(cert)!;
        ready.Status.ShouldBe(Condition.False);
        ready.Reason.ShouldBe(CertificateReasons.AcmeServerUnavailable);
        ready.Message.ShouldContain($"127.0.0.1:{closedPort}");
        cert.Status!["lastFailureTime"].ShouldNotBeNull();
        (await host.GetAsync("Secret", "down-tls")).ShouldBeNull();
        // Backoff: the gap before the 4th attempt is clearly longer than the one before the 2nd.
        var byAttempt = seen.ToDictionary(s => s.Attempts, s => s.At);
        byAttempt.Keys.Order().Take(4).ShouldBe([1L, 2L, 3L, 4L], "each attempt was observed (20 ms polling, >= 300 ms gaps)");
        (byAttempt[4] - byAttempt[3]).ShouldBeGreaterThan(byAttempt[2] - byAttempt[1]);

        // Fixing the issuer ends the wait: the Certificate is issued without a restart.
        var live = (await host.GetAsync("Issuer", "flaky"))!;
        live.Node["spec"] = Spec(world.Pebble.DirectoryUri.AbsoluteUri);
        await host.Store.UpdateAsync(live, UpdateScope.Main, TestContext.Current.CancellationToken);
        var issued = await host.WaitReadyAsync("down", CertificateReasons.Issued, TimeSpan.FromSeconds(30));
        issued.Status!["failedAttempts"].ShouldBeNull();
        issued.Status!["lastFailureTime"].ShouldBeNull();
        (await host.SecretValueAsync("down-tls", "tls.crt")).ShouldNotBeNull();
        _ = issuer;
    }
}
