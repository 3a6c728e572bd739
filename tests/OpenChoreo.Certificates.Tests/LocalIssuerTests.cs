using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates.Tests;

/// <summary>The ca and selfSigned issuers, renewal, re-issue on change, and the not-ready reasons.</summary>
public sealed class LocalIssuerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<CertificateAuthority> CaSecretAsync(CertHost host, string name = "team-ca")
    {
        var ca = CertificateAuthority.Create(new CertificateAuthorityOptions { CommonName = "team test CA" });
        await host.CreateSecretAsync(name, "kubernetes.io/tls", ("tls.crt", ca.CertificatePem), ("tls.key", ca.ExportPrivateKeyPem()));
        return ca;
    }

    private static X509Certificate2 Leaf(string pem) => Pem.ReadCertificate(pem);

    private static string B64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task Ca_issuer_signs_a_certificate_that_verifies_against_the_ca_and_stores_ca_crt()
    {
        await using var host = await CertHost.StartAsync();
        using var ca = await CaSecretAsync(host);
        await host.CreateAsync(CertHost.Obj("Issuer", "team", new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "team-ca" } }));
        await host.CreateAsync(CertHost.Obj("Certificate", "web", CertHost.CertificateSpec("web-tls", "team", ["web.example.test", "*.web.example.test"], duration: "720h")));

        var cert = await host.WaitReadyAsync("web", CertificateReasons.Issued);
        var chainPem = (await host.SecretValueAsync("web-tls", "tls.crt"))!;
        using var withKey = Pem.LoadCertificateWithKey(chainPem, (await host.SecretValueAsync("web-tls", "tls.key"))!);
        var leaf = Pem.ReadCertificates(chainPem)[0];
        new TrustBundle([ca.Certificate]).Verify(leaf, CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, []).IsTrusted.ShouldBeTrue();
        leaf.MatchesHostname("a.web.example.test", allowWildcards: true).ShouldBeTrue();
        (leaf.NotAfter - leaf.NotBefore).ShouldBe(TimeSpan.FromHours(720));
        (await host.SecretValueAsync("web-tls", "ca.crt"))!.ShouldBe(ca.CertificatePem);
        ((string?)cert.Status!["serialNumber"]).ShouldBe(leaf.SerialNumber.ToLowerInvariant());
        await host.WaitForAsync("Issuer", "team", i => CertHost.Ready(i)?.Reason == CertificateReasons.KeyPairReady, "the CA issuer is ready");
    }

    [Fact]
    public async Task SelfSigned_issuer_makes_a_self_signed_certificate_for_the_names()
    {
        await using var host = await CertHost.StartAsync();
        await host.CreateAsync(CertHost.Obj("Issuer", "self-signed", new JsonObject { ["selfSigned"] = new JsonObject() }));
        await host.CreateAsync(CertHost.Obj("Certificate", "local", CertHost.CertificateSpec("local-tls", "self-signed", ["local.example.test"])));

        await host.WaitReadyAsync("local", CertificateReasons.Issued);
        using var leaf = Leaf((await host.SecretValueAsync("local-tls", "tls.crt"))!);
        leaf.Subject.ShouldBe(leaf.Issuer);
        leaf.MatchesHostname("local.example.test").ShouldBeTrue();
        (await host.SecretValueAsync("local-tls", "ca.crt")).ShouldBe(await host.SecretValueAsync("local-tls", "tls.crt"));
    }

    [Fact]
    public async Task A_short_lived_certificate_is_renewed_at_two_thirds_of_its_lifetime_and_the_secret_replaced()
    {
        await using var host = await CertHost.StartAsync();
        using var ca = await CaSecretAsync(host);
        await host.CreateAsync(CertHost.Obj("Issuer", "team", new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "team-ca" } }));
        await host.CreateAsync(CertHost.Obj("Certificate", "short", CertHost.CertificateSpec("short-tls", "team", ["short.example.test"], duration: "3s")));

        var first = await host.WaitReadyAsync("short", CertificateReasons.Issued);
        var firstSerial = (string)first.Status!["serialNumber"]!;
        var secret = await host.GetAsync("Secret", "short-tls");
        var renewed = await host.WaitForAsync("Certificate", "short",
            c => (string?)c.Status?["serialNumber"] is { } s && s != firstSerial && CertHost.Ready(c)?.Reason == CertificateReasons.Issued,
            "the certificate was renewed", TimeSpan.FromSeconds(15));
        using var leaf = Leaf((await host.SecretValueAsync("short-tls", "tls.crt"))!);
        leaf.SerialNumber.ToLowerInvariant().ShouldBe((string)renewed.Status!["serialNumber"]!);
        leaf.SerialNumber.ToLowerInvariant().ShouldNotBe(firstSerial);
        // Not before the renewal point: 2/3 of the 3 s lifetime after the first certificate's start.
        var firstStart = DateTimeOffset.Parse((string)first.Status!["notBefore"]!, System.Globalization.CultureInfo.InvariantCulture);
        new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero).ShouldBeGreaterThanOrEqualTo(firstStart + TimeSpan.FromSeconds(2));
        var after = (await host.GetAsync("Secret", "short-tls"))!;
        after.Uid.ShouldBe(secret!.Uid, "the Secret is updated in place, not re-created");
        long.Parse(after.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(long.Parse(secret.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Changing_dnsNames_reissues_for_the_new_names()
    {
        await using var host = await CertHost.StartAsync();
        await host.CreateAsync(CertHost.Obj("Issuer", "self-signed", new JsonObject { ["selfSigned"] = new JsonObject() }));
        await host.CreateAsync(CertHost.Obj("Certificate", "names", CertHost.CertificateSpec("names-tls", "self-signed", ["a.example.test"])));
        await host.WaitReadyAsync("names", CertificateReasons.Issued);

        var cert = (await host.GetAsync("Certificate", "names"))!;
        cert.Node["spec"]!["dnsNames"] = new JsonArray("a.example.test", "b.example.test");
        await host.Store.UpdateAsync(cert, UpdateScope.Main, Ct);
        await host.WaitForAsync("Certificate", "names", c => CertHost.Ready(c) is { Reason: CertificateReasons.Issued } r && r.ObservedGeneration == 2, "re-issued for generation 2");
        using var leaf = Leaf((await host.SecretValueAsync("names-tls", "tls.crt"))!);
        leaf.MatchesHostname("b.example.test").ShouldBeTrue();
        leaf.MatchesHostname("a.example.test").ShouldBeTrue();
    }

    [Fact]
    public async Task Missing_issuer_and_missing_ca_secret_are_reported_and_the_certificate_is_issued_once_they_exist()
    {
        await using var host = await CertHost.StartAsync();
        await host.CreateAsync(CertHost.Obj("Certificate", "wait", CertHost.CertificateSpec("wait-tls", "later", ["wait.example.test"])));
        var c = await host.WaitReadyAsync("wait", CertificateReasons.IssuerNotFound);
        CertHost.Ready(c)!.Message.ShouldBe("Issuer \"later\" not found in namespace \"default\"");

        await host.CreateAsync(CertHost.Obj("Issuer", "later", new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "later-ca" } }));
        c = await host.WaitReadyAsync("wait", CertificateReasons.SecretNotFound);
        CertHost.Ready(c)!.Message.ShouldBe("Secret \"later-ca\" (the CA key pair) not found in namespace \"default\"");
        (await host.GetAsync("Secret", "wait-tls")).ShouldBeNull();

        using var ca = await CaSecretAsync(host, "later-ca");
        await host.WaitReadyAsync("wait", CertificateReasons.Issued);
    }

    [Fact]
    public async Task Deleting_the_secret_reissues_it()
    {
        await using var host = await CertHost.StartAsync();
        await host.CreateAsync(CertHost.Obj("Issuer", "self-signed", new JsonObject { ["selfSigned"] = new JsonObject() }));
        await host.CreateAsync(CertHost.Obj("Certificate", "lost", CertHost.CertificateSpec("lost-tls", "self-signed", ["lost.example.test"])));
        var first = await host.WaitReadyAsync("lost", CertificateReasons.Issued);
        await host.Store.DeleteAsync(new ResourceKey("Secret", CertHost.Ns, "lost-tls"), ct: Ct);
        await host.WaitForAsync("Certificate", "lost", c => (string?)c.Status?["serialNumber"] != (string?)first.Status!["serialNumber"], "a new serial");
        (await host.SecretValueAsync("lost-tls", "tls.crt")).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_ClusterIssuer_signs_with_a_ca_secret_from_the_cluster_resource_namespace()
    {
        await using var host = await CertHost.StartAsync();
        using var ca = CertificateAuthority.Create(new CertificateAuthorityOptions { CommonName = "cluster test CA" });
        await host.Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "cluster-ca", ["namespace"] = "openchoreo-system" },
            ["type"] = "kubernetes.io/tls",
            ["data"] = new JsonObject { ["tls.crt"] = B64(ca.CertificatePem), ["tls.key"] = B64(ca.ExportPrivateKeyPem()) },
        }), Ct);
        await host.CreateAsync(CertHost.Obj("ClusterIssuer", "shared-ca", new JsonObject { ["ca"] = new JsonObject { ["secretName"] = "cluster-ca" } }, ns: null));
        await host.CreateAsync(CertHost.Obj("Certificate", "org-cert", CertHost.CertificateSpec("org-tls", "shared-ca", ["org.example.test"], kind: "ClusterIssuer")));

        await host.WaitReadyAsync("org-cert", CertificateReasons.Issued);
        using var leaf = Leaf((await host.SecretValueAsync("org-tls", "tls.crt"))!);
        new TrustBundle([ca.Certificate]).Verify(leaf, CertificateUsage.ServerAuth, DateTimeOffset.UtcNow, []).IsTrusted.ShouldBeTrue();
        await host.WaitForAsync("ClusterIssuer", "shared-ca", i => CertHost.Ready(i)?.Reason == CertificateReasons.KeyPairReady, "the ClusterIssuer is ready", ns: "");
    }
}
