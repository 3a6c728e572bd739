using System.Security.Cryptography.X509Certificates;
using OpenChoreo.Acme.Tests.Fixtures;
using OpenChoreo.Pki;

namespace OpenChoreo.Acme.Tests;

[Collection(AcmeWorldCollection.Name)]
public sealed class IssuanceTests(AcmeWorld world)
{
    private CertificateIssuer Issuer(PebbleServer? pebble = null, KeyStore? store = null) => new(new CertificateIssuerOptions
    {
        Acme = (pebble ?? world.Pebble).ClientOptions(),
        AccountKeyStore = store ?? AcmeWorld.NewKeyStore(),
        Contacts = ["mailto:ops@example.test"],
        AgreeToTermsOfService = true,
    });

    [Fact]
    public async Task Http01_issues_a_SAN_certificate_for_two_names_that_verifies_against_pebbles_root()
    {
        var progress = new List<IssuanceProgress>();
        var cert = await Issuer().IssueAsync(new CertificateIssueRequest
        {
            DnsNames = ["www.example.test", "api.example.test"],
            Solver = new Http01ChallengeSolver(world.Http01.Store),
        }, SyncProgress.Of(progress.Add), TestContext.Current.CancellationToken);

        var chain = Pem.ReadCertificates(cert.ChainPem);
        chain.Count.ShouldBeGreaterThanOrEqualTo(2);
        using var leaf = Pem.LoadCertificateWithKey(cert.ChainPem, cert.PrivateKeyPem);
        leaf.MatchesHostname("www.example.test").ShouldBeTrue();
        leaf.MatchesHostname("api.example.test").ShouldBeTrue();
        leaf.GetECDsaPublicKey()!.KeySize.ShouldBe(256);

        var roots = await world.Pebble.IssuingRootsAsync();
        var verdict = roots.Verify(chain[0], CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, chain.Skip(1));
        verdict.IsTrusted.ShouldBeTrue(verdict.Message);
        // The same chain against an unrelated root is refused: the check above is not vacuous.
        world.Pebble.TlsTrust.Verify(chain[0], CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, chain.Skip(1)).IsTrusted.ShouldBeFalse();

        progress[0].Stage.ShouldBe(IssuanceStage.AccountReady);
        progress[^1].Stage.ShouldBe(IssuanceStage.Issued);
        // Each name was either proven now or reused from an earlier validation (pebble reuses half of the time).
        progress.Count(p => p.Stage is IssuanceStage.AuthorizationValid or IssuanceStage.AuthorizationReused).ShouldBe(2);
        world.Http01.Store.Count.ShouldBe(0, "answers are removed after validation");
    }

    [Fact]
    public async Task Dns01_issues_a_wildcard_certificate_through_rfc2136_with_tsig()
    {
        var solver = new Rfc2136ChallengeSolver(world.Bind.Rfc2136Options());
        var cert = await Issuer().IssueAsync(new CertificateIssueRequest
        {
            DnsNames = ["*.apps.example.test", "apps.example.test"],
            Solver = solver,
        }, cancellationToken: TestContext.Current.CancellationToken);

        var chain = Pem.ReadCertificates(cert.ChainPem);
        chain[0].MatchesHostname("shop.apps.example.test", allowWildcards: true).ShouldBeTrue();
        chain[0].MatchesHostname("apps.example.test").ShouldBeTrue();
        var roots = await world.Pebble.IssuingRootsAsync();
        roots.Verify(chain[0], CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, chain.Skip(1)).IsTrusted.ShouldBeTrue();

        // Cleanup removed the challenge records from the authoritative server.
        var probe = new DnsTxtProbe(world.Bind.EndPoint, TimeSpan.FromSeconds(1));
        using var anyTxt = new ARSoft.Tools.Net.Dns.DnsClient([world.Bind.EndPoint.Address],
            [new ARSoft.Tools.Net.Dns.UdpClientTransport(world.Bind.EndPoint.Port)], true, 1000);
        var answer = await anyTxt.ResolveAsync(ARSoft.Tools.Net.DomainName.Parse("_acme-challenge.apps.example.test"), ARSoft.Tools.Net.Dns.RecordType.Txt,
            token: TestContext.Current.CancellationToken);
        answer!.AnswerRecords.ShouldBeEmpty();
        (await probe.HasValueAsync("_acme-challenge.apps.example.test", "x", TestContext.Current.CancellationToken)).ShouldBeFalse();
    }
}

/// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertions).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

internal static class SyncProgress
{
    public static SyncProgress<IssuanceProgress> Of(Action<IssuanceProgress> report) => new(report);
}
