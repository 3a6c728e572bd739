using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Pki;

namespace OpenChoreo.Certificates.Tests;

/// <summary>Certificates issued by the controller through a real pebble (HTTP-01, DNS-01 with bind9 and TSIG).</summary>
[Collection(AcmeWorldCollection.Name)]
public sealed class AcmeCertificateTests(AcmeWorld world)
{
    private JsonObject AcmeIssuerSpec(string server, params JsonObject[] solvers) => new()
    {
        ["acme"] = new JsonObject
        {
            ["server"] = server,
            ["email"] = "ops@example.test",
            ["privateKeySecretRef"] = new JsonObject { ["name"] = "acme-account-key" },
            ["caBundle"] = world.CaBundle,
            ["solvers"] = new JsonArray(solvers),
        },
    };

    private static JsonObject Http01() => new() { ["http01"] = new JsonObject() };

    [Fact]
    public async Task Http01_certificate_becomes_ready_and_its_secret_holds_a_chain_that_verifies_against_pebbles_root()
    {
        await using var host = await CertHost.StartAsync(world.Http01.Store);
        await host.CreateAsync(CertHost.Obj("Issuer", "acme-http01", AcmeIssuerSpec(world.Pebble.DirectoryUri.AbsoluteUri, Http01())));
        await host.CreateAsync(CertHost.Obj("Certificate", "cp-tls", CertHost.CertificateSpec("cp-tls", "acme-http01", ["www.example.test", "api.example.test"])));

        var cert = await host.WaitReadyAsync("cp-tls", CertificateReasons.Issued);
        CertHost.Ready(cert)!.Status.ShouldBe(Condition.True);
        var secret = (await host.GetAsync("Secret", "cp-tls"))!;
        ((string?)secret.Node["type"]).ShouldBe("kubernetes.io/tls");
        secret.OwnerReferences.ShouldHaveSingleItem().Uid.ShouldBe(cert.Uid);
        var chainPem = (await host.SecretValueAsync("cp-tls", "tls.crt"))!;
        var keyPem = (await host.SecretValueAsync("cp-tls", "tls.key"))!;
        using var withKey = Pem.LoadCertificateWithKey(chainPem, keyPem); // throws when the key does not match
        var chain = Pem.ReadCertificates(chainPem);
        chain[0].MatchesHostname("www.example.test").ShouldBeTrue();
        chain[0].MatchesHostname("api.example.test").ShouldBeTrue();
        var roots = await world.Pebble.IssuingRootsAsync();
        var verdict = roots.Verify(chain[0], CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, chain.Skip(1));
        verdict.IsTrusted.ShouldBeTrue(verdict.Message);
        world.Pebble.TlsTrust.Verify(chain[0], CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, chain.Skip(1)).IsTrusted.ShouldBeFalse();

        // Status carries the validity and the 2/3 renewal point.
        var notBefore = DateTimeOffset.Parse((string)cert.Status!["notBefore"]!, System.Globalization.CultureInfo.InvariantCulture);
        var notAfter = DateTimeOffset.Parse((string)cert.Status!["notAfter"]!, System.Globalization.CultureInfo.InvariantCulture);
        var renewal = DateTimeOffset.Parse((string)cert.Status!["renewalTime"]!, System.Globalization.CultureInfo.InvariantCulture);
        (renewal - (notBefore + (notAfter - notBefore) * 2 / 3)).Duration().ShouldBeLessThan(TimeSpan.FromSeconds(2));
        world.Http01.Store.Count.ShouldBe(0, "answers are removed after validation");

        // The account key is a Secret, sealed in the database file, and the Issuer reports the registered account.
        (await host.SecretValueAsync("acme-account-key", "tls.key"))!.ShouldContain("PRIVATE KEY");
        var issuer = await host.WaitForAsync("Issuer", "acme-http01", i => CertHost.Ready(i)?.Reason == CertificateReasons.AccountRegistered, "the issuer registered its account");
        ((string?)issuer.Status!["acme"]!["uri"]).ShouldStartWith("https://127.0.0.1:");
        var raw = await File.ReadAllBytesAsync(host.DatabasePath, TestContext.Current.CancellationToken);
        System.Text.Encoding.ASCII.GetString(raw).ShouldNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(keyPem))[..40]);
    }

    [Fact]
    public async Task Dns01_wildcard_through_rfc2136_with_tsig_becomes_ready_and_the_zone_is_found_from_the_soa()
    {
        await using var host = await CertHost.StartAsync(world.Http01.Store);
        await host.CreateSecretAsync("rfc2136-tsig", "Opaque", ("secret", world.Bind.TsigSecret));
        await host.CreateAsync(CertHost.Obj("Issuer", "acme-dns01", AcmeIssuerSpec(world.Pebble.DirectoryUri.AbsoluteUri, new JsonObject
        {
            ["dns01"] = new JsonObject
            {
                ["rfc2136"] = new JsonObject
                {
                    ["nameserver"] = world.Bind.EndPoint.ToString(),
                    ["tsigKeyName"] = "acme-key",
                    ["tsigAlgorithm"] = "HMACSHA256",
                    ["tsigSecretSecretRef"] = new JsonObject { ["name"] = "rfc2136-tsig", ["key"] = "secret" },
                },
            },
        })));
        await host.CreateAsync(CertHost.Obj("Certificate", "apps-tls", CertHost.CertificateSpec("apps-tls", "acme-dns01", ["*.apps.example.test"])));

        await host.WaitReadyAsync("apps-tls", CertificateReasons.Issued);
        var chain = Pem.ReadCertificates((await host.SecretValueAsync("apps-tls", "tls.crt"))!);
        chain[0].MatchesHostname("shop.apps.example.test", allowWildcards: true).ShouldBeTrue();
        var roots = await world.Pebble.IssuingRootsAsync();
        roots.Verify(chain[0], CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, chain.Skip(1)).IsTrusted.ShouldBeTrue();
    }

    [Fact]
    public async Task Wildcard_over_http01_is_refused_with_a_clear_message_no_secret_and_no_acme_traffic()
    {
        // The issuer's "ACME server" is a listener of ours: any connection would be ACME traffic.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = 0;
        var ct = TestContext.Current.CancellationToken;
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var c = await listener.AcceptTcpClientAsync(ct);
                    Interlocked.Increment(ref accepted);
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException or SocketException)
            {
            }
        }, ct);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // Without the issuer controllers (which would register the account): only the Certificate controller acts.
        await using var host = await CertHost.StartAsync(world.Http01.Store, issuerControllers: false);
        await host.CreateAsync(CertHost.Obj("Issuer", "http-only", new JsonObject
        {
            ["acme"] = new JsonObject
            {
                ["server"] = $"https://127.0.0.1:{port}/dir",
                ["privateKeySecretRef"] = new JsonObject { ["name"] = "never-made" },
                ["solvers"] = new JsonArray(Http01()),
            },
        }));
        await host.CreateAsync(CertHost.Obj("Certificate", "wild", CertHost.CertificateSpec("wild-tls", "http-only", ["*.apps.example.test", "apps.example.test"])));

        var cert = await host.WaitReadyAsync("wild", CertificateReasons.Refused);
        CertHost.Ready(cert)!.Status.ShouldBe(Condition.False);
        CertHost.Ready(cert)!.Message.ShouldBe("'*.apps.example.test' is a wildcard name and HTTP-01 cannot validate wildcards. Use DNS-01 (RFC 2136 or a DNS provider) or bring your own certificate.");
        (await host.GetAsync("Secret", "wild-tls")).ShouldBeNull();
        (await host.GetAsync("Secret", "never-made")).ShouldBeNull("no account key is made for a refused request");
        cert.Status!["failedAttempts"].ShouldBeNull();
        Volatile.Read(ref accepted).ShouldBe(0);

        // The same issuer for a plain name does contact the server: the zero above is not vacuous.
        await host.CreateAsync(CertHost.Obj("Certificate", "plain", CertHost.CertificateSpec("plain-tls", "http-only", ["www.example.test"])));
        await host.WaitForAsync("Certificate", "plain", c => CertHost.Ready(c)?.Reason is CertificateReasons.AcmeServerUnavailable or CertificateReasons.AcmeError,
            "the plain certificate tried the server");
        Volatile.Read(ref accepted).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_failed_validation_is_reported_as_AcmeError_with_the_acme_error_type_and_no_secret()
    {
        await using var host = await CertHost.StartAsync(world.Http01.Store);
        await host.CreateAsync(CertHost.Obj("Issuer", "acme-http01", AcmeIssuerSpec(world.Pebble.DirectoryUri.AbsoluteUri, Http01())));
        // missing.example.test has no A record in bind: pebble's validation fails.
        await host.CreateAsync(CertHost.Obj("Certificate", "bad", CertHost.CertificateSpec("bad-tls", "acme-http01", ["missing.example.test"])));

        var cert = await host.WaitReadyAsync("bad", CertificateReasons.AcmeError);
        CertHost.Ready(cert)!.Message.ShouldStartWith(OpenChoreo.Acme.AcmeProblem.Prefix);
        CertHost.Ready(cert)!.Message.ShouldContain("missing.example.test");
        cert.Status!["failedAttempts"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(1);
        (await host.GetAsync("Secret", "bad-tls")).ShouldBeNull();
    }
}
