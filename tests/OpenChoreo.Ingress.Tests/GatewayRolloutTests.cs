using System.Net;
using System.Net.Sockets;
using OpenChoreo.Runtime.Podman;
using OpenChoreo.Testing;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Ingress.Tests;

/// <summary>
/// A new revision replaces the old one under a request loop through the gateway. The gateway dials replicas directly
/// (not the runtime's relay), so the runtime's drain (out of the routes, then stopped) is what keeps this at zero failures.
/// </summary>
public sealed class GatewayRolloutTests
{
    [Fact]
    public async Task A_new_revision_rolls_out_through_the_gateway_with_zero_failed_requests()
    {
        if (!PodmanTestPlane.Available) Assert.Skip(PodmanTestPlane.SkipReason);
        var ct = TestContext.Current.CancellationToken;
        var (dir, plane, options) = await PodmanTestPlane.CreateAsync("ingress-roll", TimeSpan.FromMilliseconds(500), ct);
        var runtime = await PodmanReleaseRuntime.StartAsync(options, ct: ct);
        const string release = "greeter-development";
        try
        {
            await using var gateway = await IngressGateway.StartAsync(
                new IngressOptions { HttpEndpoint = new IPEndPoint(IPAddress.Loopback, 0), HttpsEndpoint = null, AccessLog = false }, runtime, null, ct: ct);
            // Keep-alive connections to the gateway, as a browser holds them.
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, c) =>
                {
                    var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    await s.ConnectAsync(gateway.HttpEndpoint!, c);
                    return new NetworkStream(s, ownsSocket: true);
                },
            }) { Timeout = TimeSpan.FromSeconds(15) };
            var url = $"http://{PodmanEndToEndTests.Host}/greeter/";
            var ns = "dp-default-roll-development-" + plane[^6..];

            await runtime.ApplyAsync(new ApplyReleaseRequest { Name = release, Generation = 1, Checksum = "c1", Resources = PodmanEndToEndTests.Release(ns, options.ForwarderImage, "v1") }, ct);
            await Eventually.WaitUntilAsync(async () =>
            {
                try { return (await client.GetStringAsync(url, ct)).Trim() == "v1"; }
                catch (HttpRequestException) { return false; }
            }, "v1 answered through the gateway", TimeSpan.FromSeconds(60), ct);

            await runtime.ApplyAsync(new ApplyReleaseRequest { Name = release, Generation = 2, Checksum = "c2", Resources = PodmanEndToEndTests.Release(ns, options.ForwarderImage, "v2") }, ct);
            var failures = new List<string>();
            var bodies = new HashSet<string>();
            var sent = 0;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            // Bounded: at most 3000 requests or 60 s; ends once only v2 is left and the release is healthy again.
            for (var i = 0; i < 3000 && DateTime.UtcNow < deadline; i++)
            {
                sent++;
                try
                {
                    using var response = await client.GetAsync(url, ct);
                    if (response.StatusCode != HttpStatusCode.OK) failures.Add($"#{i}: {(int)response.StatusCode}");
                    else bodies.Add((await response.Content.ReadAsStringAsync(ct)).Trim());
                }
                catch (HttpRequestException e) { failures.Add($"#{i}: {e.Message} {e.InnerException?.Message}"); }
                if (bodies.Contains("v2") && runtime.GetHealth().Single().Health == "Healthy"
                    && runtime.Routes.Single().Rules[^1].Backends.Single().Replicas!.Count == 2) break;
            }
            failures.ShouldBeEmpty(string.Join(" | ", failures.Distinct().Take(5)));
            bodies.ShouldBe(["v1", "v2"], ignoreOrder: true);
            sent.ShouldBeGreaterThan(20);
            (await client.GetStringAsync(url, ct)).Trim().ShouldBe("v2");
        }
        finally
        {
            await runtime.DeleteAsync(release, CancellationToken.None);
            await runtime.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
