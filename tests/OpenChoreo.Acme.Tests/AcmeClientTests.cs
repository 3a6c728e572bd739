using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenChoreo.Acme.Tests.Fixtures;

namespace OpenChoreo.Acme.Tests;

[Collection(AcmeWorldCollection.Name)]
public sealed class AcmeClientTests(AcmeWorld world)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Account_is_created_then_found_by_key_with_onlyReturnExisting()
    {
        using var client = new AcmeClient(world.Pebble.ClientOptions(), AcmeAccountKey.Generate());
        (await client.FindAccountAsync(Ct)).ShouldBeNull();
        var created = await client.CreateAccountAsync(["mailto:a@example.test"], true, Ct);
        created.Status.ShouldBe(AcmeStatus.Valid);

        using var again = new AcmeClient(world.Pebble.ClientOptions(), client.AccountKey);
        var found = await again.FindAccountAsync(Ct);
        found.ShouldNotBeNull().Location.ShouldBe(created.Location);
    }

    [Fact]
    public async Task Badly_formed_identifier_is_reported_as_a_typed_problem()
    {
        using var client = new AcmeClient(world.Pebble.ClientOptions(), AcmeAccountKey.Generate());
        await client.CreateAccountAsync(null, true, Ct);
        var ex = await Should.ThrowAsync<AcmeProblemException>(() => client.NewOrderAsync(["127.0.0.1"], Ct));
        ex.Type.ShouldNotBeNull().ShouldStartWith(AcmeProblem.Prefix);
        ex.Status.ShouldBe(400);
        ex.Detail.ShouldNotBeNullOrEmpty();
        ex.Message.ShouldStartWith("Failed while creating the order: the ACME server reported urn:ietf:params:acme:error:");
    }

    [Fact]
    public async Task Failed_http01_validation_surfaces_the_challenge_error_with_its_identifier()
    {
        using var client = new AcmeClient(world.Pebble.ClientOptions(), AcmeAccountKey.Generate());
        await client.CreateAccountAsync(null, true, Ct);
        var order = await client.NewOrderAsync(["fail.example.test"], Ct);
        var authz = await client.GetAuthorizationAsync(order.Authorizations[0], Ct);
        authz.Status.ShouldBe(AcmeStatus.Pending, "a fresh account never has a reusable authorization");
        var challenge = authz.Challenges.Single(c => c.Type == AcmeChallengeTypes.Http01);
        // Nothing is published for the token: the responder answers 404 and pebble marks the authorization invalid.
        await client.RespondToChallengeAsync(challenge.Url, Ct);
        var ex = await Should.ThrowAsync<AcmeProblemException>(() => client.WaitForAuthorizationAsync(authz.Location, Ct));
        ex.Problem.Identifier.ShouldNotBeNull().Value.ShouldBe("fail.example.test");
        ex.Type.ShouldBe("urn:ietf:params:acme:error:unauthorized");
        ex.Message.ShouldStartWith("Validation of fail.example.test failed (http-01): the ACME server reported fail.example.test: urn:ietf:params:acme:error:unauthorized");
    }

    [Fact]
    public async Task BadNonce_answers_are_retried_with_a_fresh_nonce()
    {
        using var pebble = await world.StartPebbleAsync(nonceRejectPercent: 50);
        var logger = new CapturingLogger<AcmeClient>();
        // 50% rejection: 20 retries make a spurious failure (2^-21 per request) practically impossible.
        using var client = new AcmeClient(pebble.ClientOptions() with { MaxBadNonceRetries = 20 }, AcmeAccountKey.Generate(), logger);
        await client.CreateAccountAsync(null, true, Ct);
        for (var i = 0; i < 10; i++) await client.NewOrderAsync(["nonce.example.test"], Ct);
        logger.Events.Count(e => e.Id.Id == 2).ShouldBeGreaterThan(0, "with half of the nonces rejected, 11 requests see at least one badNonce");
    }

    [Fact]
    public async Task BadNonce_beyond_the_retry_budget_is_a_typed_problem()
    {
        using var pebble = await world.StartPebbleAsync(nonceRejectPercent: 100);
        using var client = new AcmeClient(pebble.ClientOptions() with { MaxBadNonceRetries = 2 }, AcmeAccountKey.Generate());
        var ex = await Should.ThrowAsync<AcmeProblemException>(() => client.CreateAccountAsync(null, true, Ct));
        ex.Type.ShouldBe("urn:ietf:params:acme:error:badNonce");
        ex.Status.ShouldBe(400);
    }

    [Fact]
    public async Task Server_down_fails_cleanly_after_bounded_retries()
    {
        var port = LoopbackPorts.Free(); // nothing listens here
        var options = world.Pebble.ClientOptions() with
        {
            DirectoryUri = new Uri($"https://127.0.0.1:{port}/dir"),
            MaxTransportRetries = 2,
            TransportRetryDelay = TimeSpan.FromMilliseconds(10),
            RequestTimeout = TimeSpan.FromSeconds(2),
        };
        using var client = new AcmeClient(options, AcmeAccountKey.Generate());
        var started = Stopwatch.GetTimestamp();
        var ex = await Should.ThrowAsync<AcmeServerUnavailableException>(() => client.GetDirectoryAsync(Ct));
        ex.Attempts.ShouldBe(3);
        ex.Message.ShouldStartWith($"The ACME server at https://127.0.0.1:{port} cannot be reached after 3 attempt(s): Connection refused");
        Stopwatch.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(10), "refused connections must not hang");
    }

    [Fact]
    public async Task Server_that_accepts_but_never_answers_times_out_within_the_request_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var options = world.Pebble.ClientOptions() with
        {
            DirectoryUri = new Uri($"https://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/dir"),
            MaxTransportRetries = 1,
            TransportRetryDelay = TimeSpan.FromMilliseconds(10),
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        };
        using var client = new AcmeClient(options, AcmeAccountKey.Generate());
        var ex = await Should.ThrowAsync<AcmeServerUnavailableException>(() => client.GetDirectoryAsync(Ct));
        ex.Attempts.ShouldBe(2);
        ex.Message.ShouldContain("cannot be reached after 2 attempt(s)");
    }

    [Fact]
    public async Task Tls_to_the_acme_server_is_verified_against_the_configured_bundle()
    {
        using var otherCa = Pki.CertificateAuthority.Create();
        var wrongTrust = new Pki.TrustBundle([System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(otherCa.Certificate.RawData)]);
        using var client = new AcmeClient(world.Pebble.ClientOptions() with { TrustBundle = wrongTrust, MaxTransportRetries = 3 }, AcmeAccountKey.Generate());
        var ex = await Should.ThrowAsync<AcmeServerUnavailableException>(() => client.GetDirectoryAsync(Ct));
        ex.Message.ShouldContain("The SSL connection could not be established");
        ex.Attempts.ShouldBe(1, "an untrusted certificate is not retried");
    }
}
