using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Pki;
using OpenChoreo.Testing;

namespace OpenChoreo.Acme.Tests;

[Collection(AcmeWorldCollection.Name)]
public sealed class ReuseAndRenewalTests(AcmeWorld world)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Already_valid_authorizations_are_reused_without_presenting_a_challenge()
    {
        using var pebble = await world.StartPebbleAsync(authzReusePercent: 100);
        var store = AcmeWorld.NewKeyStore();
        var issuer = new CertificateIssuer(new CertificateIssuerOptions { Acme = pebble.ClientOptions(), AccountKeyStore = store, AgreeToTermsOfService = true });
        var request = new CertificateIssueRequest { DnsNames = ["reuse.example.test"], Solver = new Http01ChallengeSolver(world.Http01.Store) };

        var first = new List<IssuanceProgress>();
        await issuer.IssueAsync(request, SyncProgress.Of(first.Add), Ct);
        first.ShouldContain(p => p.Stage == IssuanceStage.ChallengePresented);

        var second = new List<IssuanceProgress>();
        var cert = await issuer.IssueAsync(request, SyncProgress.Of(second.Add), Ct);
        second.ShouldContain(p => p.Stage == IssuanceStage.AuthorizationReused && p.Identifier == "reuse.example.test");
        second.ShouldNotContain(p => p.Stage == IssuanceStage.ChallengePresented);
        Pem.ReadCertificate(cert.ChainPem).MatchesHostname("reuse.example.test").ShouldBeTrue();
        store.HasPrivateKey("acme-account").ShouldBeTrue("the account key is kept (encrypted) in the key store");
    }

    [Fact]
    public async Task NeedsRenewal_follows_the_pki_renewal_schedule()
    {
        var cert = await new CertificateIssuer(new CertificateIssuerOptions
        {
            Acme = world.Pebble.ClientOptions(),
            AccountKeyStore = AcmeWorld.NewKeyStore(),
            AgreeToTermsOfService = true,
        }).IssueAsync(new CertificateIssueRequest { DnsNames = ["www.example.test"], Solver = new Http01ChallengeSolver(world.Http01.Store) }, cancellationToken: Ct);
        using var leaf = Pem.ReadCertificate(cert.ChainPem);

        var clock = new ManualTimeProvider(cert.NotBefore);
        var issuer = new CertificateIssuer(new CertificateIssuerOptions
        {
            Acme = world.Pebble.ClientOptions() with { TimeProvider = clock },
            AccountKeyStore = AcmeWorld.NewKeyStore(),
        });
        issuer.NeedsRenewal(leaf).ShouldBeFalse();
        clock.SetUtcNow(cert.NotBefore + (cert.NotAfter - cert.NotBefore) * 2 / 3 + TimeSpan.FromSeconds(1));
        issuer.NeedsRenewal(leaf).ShouldBeTrue();
    }

    [Theory]
    [InlineData("WWW.example.test", "'WWW.example.test' is not a valid DNS name for a certificate (lowercase DNS labels, at least two, optional leading '*.'). (Parameter 'dnsNames')")]
    [InlineData("localhost", "'localhost' is not a valid DNS name for a certificate (lowercase DNS labels, at least two, optional leading '*.'). (Parameter 'dnsNames')")]
    [InlineData("a.*.example.test", "'a.*.example.test' is not a valid DNS name for a certificate (lowercase DNS labels, at least two, optional leading '*.'). (Parameter 'dnsNames')")]
    public void Bad_names_are_refused_before_any_request(string name, string message) =>
        Should.Throw<ArgumentException>(() => CertificateIssuer.EnsureSolvable([name], new Http01ChallengeSolver(new Http01ChallengeStore()))).Message.ShouldBe(message);
}
