using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;
using OpenChoreo.Testing;
using OpenChoreo.Tunnel.Operations;

namespace OpenChoreo.Tunnel.Tests;

public sealed class SecurityTests
{
    private static readonly PlaneIdentity A = new("acme", "dataplane", "dp-a");
    private static readonly PlaneIdentity B = new("acme", "dataplane", "dp-b");

    private static async Task<string> RefusedInHandshakeAsync(TestControlPlane cp, X509Certificate2? cert)
    {
        var reasons = new ConcurrentQueue<string>();
        cp.Validator.Refused += reasons.Enqueue;
        var e = await Should.ThrowAsync<Exception>(() => cp.DialAsync(cert));
        (e is WebSocketException or HttpRequestException or IOException or System.Security.Authentication.AuthenticationException).ShouldBeTrue(e.ToString());
        cp.Gateway.Registry.Count.ShouldBe(0);
        return reasons.TryDequeue(out var r) ? r : "";
    }

    [Fact]
    public async Task No_client_certificate_is_refused_in_the_handshake()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await cp.CreatePlaneAsync(A);
        await RefusedInHandshakeAsync(cp, null);
    }

    [Fact]
    public async Task Certificate_from_another_CA_is_refused()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await cp.CreatePlaneAsync(A);
        using var other = CertificateAuthority.Create();
        var cert = other.IssueClientCertificate(new LeafCertificateRequest { Uris = [A.ToUri()], Lifetime = TimeSpan.FromHours(1) }).Certificate;
        (await RefusedInHandshakeAsync(cp, cert)).ShouldStartWith("UntrustedRoot");
    }

    [Fact]
    public async Task Expired_certificate_is_refused()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await cp.CreatePlaneAsync(A);
        var now = DateTimeOffset.UtcNow;
        var cert = cp.Ca.Issuer.IssueClientCertificate(new LeafCertificateRequest
        {
            Uris = [A.ToUri()], NotBefore = now.AddMinutes(-4), NotAfter = now.AddMinutes(-1),
        }).Certificate;
        (await RefusedInHandshakeAsync(cp, cert)).ShouldStartWith("Expired");
    }

    [Fact]
    public async Task Certificate_of_plane_A_cannot_act_as_plane_B()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var a = await cp.CreatePlaneAsync(A);
        await cp.CreatePlaneAsync(B);
        // B's name on a certificate bound to A's plane uid.
        (await RefusedInHandshakeAsync(cp, cp.SignFor(B, a.Uid!))).ShouldContain("another incarnation");
        // The same plane name in another organization, where no such plane exists.
        var otherOrg = new PlaneIdentity("globex", "dataplane", "dp-a");
        (await RefusedInHandshakeAsync(cp, cp.SignFor(otherOrg, a.Uid!))).ShouldBe("no plane spiffe://openchoreo/ns/globex/dataplane/dp-a exists");
        // A's own certificate with B named in the query string: the identity is A's, whatever the URL says.
        var socket = await cp.DialAsync(cp.SignFor(A, a.Uid!), query: "?planeType=dataplane&planeName=dp-b");
        var options = new TunnelConnectionOptions();
        await TunnelHandshake.ClientAsync(socket, new HelloMessage { AgentVersion = "x" }, options, CancellationToken.None);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(A), "A is connected");
        cp.Gateway.IsConnected(B).ShouldBeFalse();
        socket.Abort();
    }

    [Fact]
    public async Task Upstream_style_clientCA_is_trusted_for_its_own_plane_only()
    {
        await using var cp = await TestControlPlane.StartAsync();
        using var own = CertificateAuthority.Create();
        await cp.CreatePlaneAsync(A, Convert.ToBase64String(Encoding.UTF8.GetBytes(own.CertificatePem)));
        await cp.CreatePlaneAsync(B);
        var forA = own.IssueClientCertificate(new LeafCertificateRequest { Uris = [A.ToUri()], Lifetime = TimeSpan.FromHours(1) }).Certificate;
        await using var connection = await cp.RawConnectAsync(forA);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(A), "A is connected with its own CA");
        var forB = own.IssueClientCertificate(new LeafCertificateRequest { Uris = [B.ToUri()], Lifetime = TimeSpan.FromHours(1) }).Certificate;
        (await RefusedInHandshakeAsync2(cp, forB)).ShouldStartWith("UntrustedRoot");
    }

    [Fact]
    public async Task ClientCA_by_secretRef_is_trusted_while_the_secret_holds_it_and_never_across_organizations()
    {
        await using var cp = await TestControlPlane.StartAsync();
        using var own = CertificateAuthority.Create();
        await cp.EnsureOrganizationAsync("acme");
        await cp.EnsureOrganizationAsync("other");
        await cp.Store.CreateAsync(SecretWith("acme", "dp-a-agent-ca", "ca.crt", own.CertificatePem));
        await cp.Store.CreateAsync(SecretWith("other", "stolen", "ca.crt", own.CertificatePem));
        await cp.Store.CreateAsync(PlaneWithSecretRef(A, new JsonObject { ["name"] = "dp-a-agent-ca", ["key"] = "ca.crt" }));
        await cp.Store.CreateAsync(PlaneWithSecretRef(B, new JsonObject { ["name"] = "stolen", ["namespace"] = "other", ["key"] = "ca.crt" }));
        var forA = own.IssueClientCertificate(new LeafCertificateRequest { Uris = [A.ToUri()], Lifetime = TimeSpan.FromHours(1) }).Certificate;
        var forB = own.IssueClientCertificate(new LeafCertificateRequest { Uris = [B.ToUri()], Lifetime = TimeSpan.FromHours(1) }).Certificate;

        await using (var connection = await cp.RawConnectAsync(forA))
        {
            await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(A), "A is connected through the CA in its Secret");
        }
        // B points at a Secret of another organization: ignored, so B's agent is not trusted.
        (await RefusedInHandshakeAsync2(cp, forB)).ShouldStartWith("UntrustedRoot");
        // Removing the CA from the Secret stops new connections (the directory follows Secret changes).
        await cp.Store.DeleteAsync(new ResourceKey("Secret", "acme", "dp-a-agent-ca"));
        await Eventually.WaitUntilAsync(() => cp.Services.GetRequiredService<Gateway.PlaneDirectory>().Find(A)?.ClientCa is null, "the directory dropped A's CA");
        (await RefusedInHandshakeAsync2(cp, forA)).ShouldStartWith("UntrustedRoot");
    }

    private static ResourceObject SecretWith(string ns, string name, string key, string pem) => new(new JsonObject
    {
        ["apiVersion"] = "openchoreo.dev/v1alpha1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject { [key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(pem)) },
    });

    private static ResourceObject PlaneWithSecretRef(PlaneIdentity id, JsonObject secretRef) => new(new JsonObject
    {
        ["apiVersion"] = "openchoreo.dev/v1alpha1",
        ["kind"] = "DataPlane",
        ["metadata"] = new JsonObject { ["name"] = id.PlaneName, ["namespace"] = id.Organization },
        ["spec"] = new JsonObject { ["agent"] = new JsonObject { ["enabled"] = true, ["clientCA"] = new JsonObject { ["secretRef"] = secretRef } } },
    });

    private static async Task<string> RefusedInHandshakeAsync2(TestControlPlane cp, X509Certificate2 cert)
    {
        var reasons = new ConcurrentQueue<string>();
        cp.Validator.Refused += reasons.Enqueue;
        await Should.ThrowAsync<Exception>(() => cp.DialAsync(cert));
        return reasons.TryDequeue(out var r) ? r : "";
    }

    [Fact]
    public async Task Join_token_is_single_use()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await cp.CreatePlaneAsync(A);
        var token = await cp.Services.GetRequiredService<Gateway.JoinTokens>().CreateAsync(A, CancellationToken.None);
        var fp = Enrollment.CaFingerprint.Of(cp.Ca.Issuer.Certificate);
        await new Agent.AgentCredentials(Directory.CreateTempSubdirectory().FullName, A).EnrollAsync(cp.ApiUrl, token.Token, fp);
        var again = await Should.ThrowAsync<InvalidOperationException>(() =>
            new Agent.AgentCredentials(Directory.CreateTempSubdirectory().FullName, A).EnrollAsync(cp.ApiUrl, token.Token, fp));
        again.Message.ShouldBe("enrollment refused (401): the join token is invalid, expired or already used");
        // A token for A does not enroll B.
        var forA = await cp.Services.GetRequiredService<Gateway.JoinTokens>().CreateAsync(A, CancellationToken.None);
        await cp.CreatePlaneAsync(B);
        var cross = await Should.ThrowAsync<InvalidOperationException>(() =>
            new Agent.AgentCredentials(Directory.CreateTempSubdirectory().FullName, B).EnrollAsync(cp.ApiUrl, forA.Token, fp));
        cross.Message.ShouldBe("enrollment refused (401): the join token is invalid, expired or already used");
    }

    [Fact]
    public async Task Expired_join_token_is_refused()
    {
        await using var cp = await TestControlPlane.StartAsync(settings: new Dictionary<string, string?> { ["clusterGateway:joinTokenLifetime"] = "00:00:01" });
        await cp.CreatePlaneAsync(A);
        var token = await cp.Services.GetRequiredService<Gateway.JoinTokens>().CreateAsync(A, CancellationToken.None);
        await Eventually.WaitUntilAsync(() => DateTimeOffset.UtcNow > token.ExpiresAt, "the token expired", TimeSpan.FromSeconds(5));
        var e = await Should.ThrowAsync<InvalidOperationException>(() =>
            new Agent.AgentCredentials(Directory.CreateTempSubdirectory().FullName, A).EnrollAsync(cp.ApiUrl, token.Token, Enrollment.CaFingerprint.Of(cp.Ca.Issuer.Certificate)));
        e.Message.ShouldBe("enrollment refused (401): the join token is invalid, expired or already used");
    }

    [Fact]
    public async Task Deleting_a_plane_closes_its_connection_within_1s_and_its_certificate_stops_working()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var (agent, runtime) = await cp.StartAgentAsync(A);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(A), "A is connected");
        await runtime.ApplyAsync(new ApplyReleaseRequest { Name = "left-over", Generation = 1, Checksum = "c" }, CancellationToken.None);
        var oldUid = (await cp.GetPlaneAsync(A))!.Uid!;
        var deleted = System.Diagnostics.Stopwatch.StartNew();
        await cp.Store.DeleteAsync(Gateway.PlaneKinds.KeyOf(A));
        await Eventually.WaitUntilAsync(() => agent.Connection is null && cp.Gateway.Registry.Count == 0, "the connection is closed", TimeSpan.FromSeconds(1));
        deleted.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        // The agent was told: it removed what it ran and stopped (no redials of a dead identity).
        await Eventually.WaitUntilAsync(() => agent.Decommissioned, "the agent decommissioned itself");
        runtime.Releases.ShouldBeEmpty();
        agent.ConnectCount.ShouldBe(1);
        // Recreated under the same name: a certificate bound to the old uid is refused.
        var reasons = new ConcurrentQueue<string>();
        cp.Validator.Refused += reasons.Enqueue;
        await cp.CreatePlaneAsync(A);
        await Should.ThrowAsync<Exception>(() => cp.DialAsync(cp.SignFor(A, oldUid)));
        reasons.ShouldContain(r => r.Contains("another incarnation"));
        cp.Gateway.IsConnected(A).ShouldBeFalse();
    }

    [Fact]
    public async Task Oversized_frame_closes_that_connection_only()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await cp.StartAgentAsync(B);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(B), "B is connected");
        var a = await cp.CreatePlaneAsync(A);
        await using var attacker = await cp.RawConnectAsync(cp.SignFor(A, a.Uid!));
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(A), "A is connected");
        // 300 KiB against a 256 KiB limit: sent below the tunnel layer, which would refuse to build it.
        var socket = (WebSocket)typeof(TunnelConnection).GetField("_socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(attacker)!;
        await socket.SendAsync(new byte[300 * 1024], WebSocketMessageType.Binary, true, CancellationToken.None);
        await attacker.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        await Eventually.WaitUntilAsync(() => !cp.Gateway.IsConnected(A), "A's connection is closed");
        (await cp.Gateway.InvokeAsync(B, TunnelOperations.Ping, Empty.Instance)).AgentTime.ShouldNotBe(default);
    }

    [Fact]
    public async Task Random_garbage_frames_never_crash_the_gateway()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await cp.StartAgentAsync(B);
        await Eventually.WaitUntilAsync(() => cp.Gateway.IsConnected(B), "B is connected");
        var a = await cp.CreatePlaneAsync(A);
        var cert = cp.SignFor(A, a.Uid!);
        var random = new Random(42);
        var closedByGateway = 0;
        for (var round = 0; round < 20; round++)
        {
            await using var c = await cp.RawConnectAsync(cert);
            var socket = (WebSocket)typeof(TunnelConnection).GetField("_socket", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(c)!;
            for (var i = 0; i < 10 && c.IsOpen; i++)
            {
                var frame = new byte[random.Next(0, 512)];
                random.NextBytes(frame);
                if (frame.Length >= FrameHeader.Size && random.Next(2) == 0)
                {
                    frame[0] = FrameHeader.ProtocolVersion; // plausible headers reach deeper into the parser
                    frame[1] = (byte)random.Next(0, 16);
                    frame[3] = 0;
                }
                try { await socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None); }
                catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
                {
                    break; // the gateway closed the connection and the client side disposed its socket
                }
            }
            if (await Task.WhenAny(c.Completion, Task.Delay(TimeSpan.FromSeconds(2))) == c.Completion) closedByGateway++;
        }
        closedByGateway.ShouldBeGreaterThan(10);
        (await cp.Gateway.InvokeAsync(B, TunnelOperations.Ping, Empty.Instance)).AgentTime.ShouldNotBe(default);
    }

    [Fact]
    public async Task Agent_refuses_a_control_plane_whose_certificate_does_not_chain_to_its_CA()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await using var impostor = await TestControlPlane.StartAsync();
        // Enrollment with the wrong pin stops before the token is sent.
        await cp.CreatePlaneAsync(A);
        var token = await cp.Services.GetRequiredService<Gateway.JoinTokens>().CreateAsync(A, CancellationToken.None);
        var wrongPin = await Should.ThrowAsync<InvalidOperationException>(() =>
            new Agent.AgentCredentials(Directory.CreateTempSubdirectory().FullName, A).EnrollAsync(impostor.ApiUrl, token.Token, Enrollment.CaFingerprint.Of(cp.Ca.Issuer.Certificate)));
        wrongPin.Message.ShouldStartWith("the control plane's trust bundle holds no CA with the pinned fingerprint");
        // An enrolled agent pointed at a gateway with another CA refuses it in the handshake. The impostor would accept
        // the agent (it trusts the real CA for that plane), so only the agent's own check stands in the way.
        await impostor.CreatePlaneAsync(B, cp.Ca.Issuer.CertificatePem);
        var refusedByImpostor = new ConcurrentQueue<string>();
        impostor.Validator.Refused += refusedByImpostor.Enqueue;
        var (agent, _) = await cp.StartAgentAsync(B, via: impostor.ConnectUrl);
        await Eventually.WaitUntilAsync(() => agent.RecentDelays.Count >= 2, "the agent failed to connect twice");
        agent.LastError.ShouldBe("Unable to connect to the remote server");
        agent.ConnectCount.ShouldBe(0);
        impostor.Gateway.Registry.Count.ShouldBe(0);
        refusedByImpostor.ShouldBeEmpty();
    }
}
