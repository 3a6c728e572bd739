using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Certificates.Tests;

/// <summary>An ACME issuance in flight does not hold a controller worker: the reconcile requeues until it completes.</summary>
public sealed class AcmePendingTests
{
    [Fact]
    public async Task Certificates_waiting_on_a_silent_acme_server_do_not_block_other_certificates()
    {
        var ct = TestContext.Current.CancellationToken;
        // An ACME server that accepts connections and never answers: each issuance waits for the request timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) held.Add(await silent.AcceptSocketAsync(ct));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }, ct);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var host = await CertHost.StartAsync(configure: o => o.AcmeRequestTimeout = TimeSpan.FromSeconds(30));
        await host.CreateAsync(CertHost.Obj("Issuer", "silent", new JsonObject
        {
            ["acme"] = new JsonObject
            {
                ["server"] = $"https://127.0.0.1:{port}/dir",
                ["privateKeySecretRef"] = new JsonObject { ["name"] = "silent-account" },
                ["solvers"] = new JsonArray(new JsonObject { ["http01"] = new JsonObject() }),
            },
        }));
        await host.CreateAsync(CertHost.Obj("Issuer", "self", new JsonObject { ["selfSigned"] = new JsonObject() }));
        // More ACME Certificates than the controller has workers (2).
        for (var i = 0; i < 3; i++)
            await host.CreateAsync(CertHost.Obj("Certificate", $"slow-{i}", CertHost.CertificateSpec($"slow-{i}-tls", "silent", [$"slow{i}.example.test"])));
        for (var i = 0; i < 3; i++)
            await host.WaitReadyAsync($"slow-{i}", CertificateReasons.Issuing, TimeSpan.FromSeconds(20));

        // While all three wait on the silent server, a selfSigned Certificate is issued at once.
        await host.CreateAsync(CertHost.Obj("Certificate", "quick", CertHost.CertificateSpec("quick-tls", "self", ["quick.example.test"])));
        await host.WaitReadyAsync("quick", CertificateReasons.Issued, TimeSpan.FromSeconds(15));
        for (var i = 0; i < 3; i++)
        {
            var slow = (await host.GetAsync("Certificate", $"slow-{i}"))!;
            Assert.Equal(CertificateReasons.Issuing, CertHost.Ready(slow)!.Reason);
        }
        silent.Stop();
        foreach (var s in held) s.Dispose();
        await accepting;
    }
}
