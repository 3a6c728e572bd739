using System.Security.Authentication;
using OpenChoreo.Testing;
using static OpenChoreo.Pki.Tests.Fixtures;

namespace OpenChoreo.Pki.Tests;

public sealed class MutualTlsTests
{
    private static readonly Func<TrustBundle> PlatformTrust = () => Bundle(Ca);

    [Fact]
    public async Task Valid_agent_certificate_passes_and_its_identity_is_read()
    {
        using var agent = AgentCertificate(Ca).Certificate;

        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, PlatformTrust, agent, PlatformTrust, requirePlaneIdentity: true);

        outcome.ServerError.ShouldBeNull();
        outcome.ClientError.ShouldBeNull();
        outcome.ServerRefusals.ShouldBeEmpty();
        outcome.ClientCertificateSeenByServer.ShouldNotBeNull();
        PlaneIdentity.FromCertificate(outcome.ClientCertificateSeenByServer).ShouldBe(Identity);
    }

    [Fact]
    public async Task Client_without_certificate_is_refused_in_the_handshake()
    {
        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, PlatformTrust, null, PlatformTrust);

        AssertRefusedInHandshake(outcome, ChainFailure.NoCertificate);
    }

    [Fact]
    public async Task Client_certificate_from_another_CA_is_refused_in_the_handshake()
    {
        using var stranger = AgentCertificate(OtherCa).Certificate;

        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, PlatformTrust, stranger, PlatformTrust);

        AssertRefusedInHandshake(outcome, ChainFailure.UntrustedRoot);
        outcome.ServerRefusals[0].Message.ShouldContain("does not chain to a CA in the trust bundle");
    }

    [Fact]
    public async Task Expired_client_certificate_is_refused_in_the_handshake()
    {
        // A CA made 30 days ago issues a certificate whose whole window lies in the past.
        var now = DateTimeOffset.UtcNow;
        using var oldCa = CertificateAuthority.Create(new() { CommonName = "Old CA" }, new ManualTimeProvider(now.AddDays(-30)));
        using var expired = oldCa.IssueClientCertificate(new()
        {
            Uris = [Identity.ToUri()],
            NotBefore = now.AddDays(-10),
            NotAfter = now.AddDays(-1),
        }).Certificate;
        Func<TrustBundle> trust = () => Bundle(Ca, oldCa);

        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, trust, expired, PlatformTrust);

        AssertRefusedInHandshake(outcome, ChainFailure.Expired);
    }

    [Fact]
    public async Task Client_certificate_seen_from_a_clock_before_its_validity_is_refused_as_not_yet_valid()
    {
        using var agent = AgentCertificate(Ca).Certificate;
        var past = new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(-2));

        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, PlatformTrust, agent, PlatformTrust, serverTime: past);

        AssertRefusedInHandshake(outcome, ChainFailure.NotYetValid);
    }

    [Fact]
    public async Task ServerAuth_only_certificate_used_as_client_certificate_is_refused_in_the_handshake()
    {
        using var serverOnly = Ca.IssueServerCertificate(new() { DnsNames = ["agent.example"], Uris = [Identity.ToUri()] }).Certificate;

        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, PlatformTrust, serverOnly, PlatformTrust);

        AssertRefusedInHandshake(outcome, ChainFailure.WrongUsage);
        outcome.ServerRefusals[0].Message.ShouldContain("clientAuth");
    }

    [Fact]
    public async Task Client_certificate_without_plane_identity_is_refused_when_identity_is_required()
    {
        using var noIdentity = Ca.IssueClientCertificate(new() { DnsNames = ["agent.example"] }).Certificate;

        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, PlatformTrust, noIdentity, PlatformTrust, requirePlaneIdentity: true);

        AssertRefusedInHandshake(outcome, ChainFailure.MissingIdentity);
        outcome.ServerRefusals[0].Message.ShouldBe("the certificate must carry exactly one URI SAN with the plane identity, it has 0");
    }

    [Fact]
    public async Task Client_refuses_a_server_certificate_for_another_host()
    {
        using var agent = AgentCertificate(Ca).Certificate;

        var outcome = await TlsLoopback.RunAsync(Server.Value.Certificate, PlatformTrust, agent, PlatformTrust, targetHost: "gateway.example.com");

        outcome.ClientError.ShouldBeOfType<AuthenticationException>();
        outcome.ClientRefusals.ShouldHaveSingleItem().Failure.ShouldBe(ChainFailure.NameMismatch);
        outcome.ClientRefusals[0].Message.ShouldContain("is not valid for 'gateway.example.com'");
    }

    [Fact]
    public async Task Client_refuses_a_server_certificate_from_a_CA_outside_its_bundle()
    {
        using var agent = AgentCertificate(Ca).Certificate;
        using var foreignServer = OtherCa.IssueServerCertificate(new() { DnsNames = ["localhost"] }).Certificate;

        var outcome = await TlsLoopback.RunAsync(foreignServer, PlatformTrust, agent, PlatformTrust);

        outcome.ClientError.ShouldBeOfType<AuthenticationException>();
        outcome.ClientRefusals.ShouldHaveSingleItem().Failure.ShouldBe(ChainFailure.UntrustedRoot);
    }

    [Fact]
    public async Task Rotation_bundle_with_old_and_new_CA_accepts_both_then_only_the_new_after_the_old_is_removed()
    {
        using var newCa = CertificateAuthority.Create(new() { CommonName = "Test Platform CA 2" });
        using var oldAgent = AgentCertificate(Ca).Certificate;
        using var newAgent = AgentCertificate(newCa, new PlaneIdentity("acme", "buildplane", "builder")).Certificate;
        var bundle = Bundle(Ca, newCa);
        Func<TrustBundle> current = () => bundle;

        (await TlsLoopback.RunAsync(Server.Value.Certificate, current, oldAgent, current)).Exchanged.ShouldBeTrue();
        (await TlsLoopback.RunAsync(Server.Value.Certificate, current, newAgent, current)).Exchanged.ShouldBeTrue();

        bundle = bundle.Without(Ca.Certificate); // the same validator instance sees the swap

        AssertRefusedInHandshake(await TlsLoopback.RunAsync(Server.Value.Certificate, current, oldAgent, () => Bundle(Ca)), ChainFailure.UntrustedRoot);
        var accepted = await TlsLoopback.RunAsync(Server.Value.Certificate, current, newAgent, () => Bundle(Ca));
        accepted.Exchanged.ShouldBeTrue();
        PlaneIdentity.FromCertificate(accepted.ClientCertificateSeenByServer!).PlaneName.ShouldBe("builder");
    }

    [Fact]
    public async Task Server_certificate_provider_serves_a_reissued_certificate_without_a_new_listener_config()
    {
        using var newCa = CertificateAuthority.Create(new() { CommonName = "Test Platform CA 2" });
        using var agent = AgentCertificate(Ca).Certificate;
        using var reissued = newCa.IssueServerCertificate(new() { DnsNames = ["localhost"] }).Certificate;
        var current = Server.Value.Certificate;
        Func<TrustBundle> both = () => Bundle(Ca, newCa);

        var before = await TlsLoopback.RunAsync(() => current, PlatformTrust, agent, both);
        current = reissued;
        var after = await TlsLoopback.RunAsync(() => current, PlatformTrust, agent, both);

        before.Exchanged.ShouldBeTrue();
        after.Exchanged.ShouldBeTrue();
        before.ServerCertificateSeenByClient!.Thumbprint.ShouldBe(Server.Value.Certificate.Thumbprint);
        after.ServerCertificateSeenByClient!.Thumbprint.ShouldBe(reissued.Thumbprint);
    }

    [Fact]
    public async Task Revoked_client_certificate_is_refused_in_the_handshake()
    {
        using var agent = AgentCertificate(Ca).Certificate;
        var revokedSerial = agent.SerialNumber;
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var refusals = new List<ChainVerificationResult>();
            var options = TlsPolicies.MutualTlsServerOptions(Server.Value.Certificate, PlatformTrust, new TlsValidationOptions
            {
                IsRevoked = c => c.SerialNumber == revokedSerial,
                OnRefused = refusals.Add,
            });
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var serverTask = Task.Run(async () =>
            {
                using var tcp = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
                await using var ssl = new System.Net.Security.SslStream(tcp.GetStream());
                await ssl.AuthenticateAsServerAsync(options, TestContext.Current.CancellationToken);
            }, TestContext.Current.CancellationToken);
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port, TestContext.Current.CancellationToken);
            await using var clientSsl = new System.Net.Security.SslStream(client.GetStream());
            var clientTask = clientSsl.AuthenticateAsClientAsync(TlsPolicies.MutualTlsClientOptions("localhost", agent, PlatformTrust), TestContext.Current.CancellationToken);

            await Should.ThrowAsync<AuthenticationException>(serverTask);
            refusals.ShouldHaveSingleItem().Failure.ShouldBe(ChainFailure.Revoked);
            try { await clientTask; } catch (Exception ex) when (ex is AuthenticationException or IOException) { }
        }
        finally
        {
            listener.Stop();
        }
    }

    private static void AssertRefusedInHandshake(TlsLoopback.Outcome outcome, ChainFailure expected)
    {
        // The server's handshake itself fails: no application code ever runs for this peer.
        outcome.ServerError.ShouldBeOfType<AuthenticationException>();
        outcome.ServerRefusals.ShouldHaveSingleItem().Failure.ShouldBe(expected);
        outcome.ClientCertificateSeenByServer.ShouldBeNull();
        outcome.ClientError.ShouldNotBeNull();
    }
}
