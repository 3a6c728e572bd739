using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenChoreo.Pki.Tests;

public sealed class PlatformCaTests
{
    private static PlatformCaOptions Options(byte[]? masterKey = null) => new()
    {
        KeyStore = new() { ReadEnvironment = false, MasterKey = masterKey },
        Logger = NullLogger.Instance,
    };

    [Fact]
    public void First_call_creates_the_CA_and_the_second_loads_the_same_one()
    {
        using var dir = new TempDirectory();

        using var first = PlatformCa.LoadOrCreate(dir.Path, Options());
        using var second = PlatformCa.LoadOrCreate(dir.Path, Options());

        second.Issuer.Certificate.Thumbprint.ShouldBe(first.Issuer.Certificate.Thumbprint);
        second.ActiveGeneration.ShouldBe("ca-0001");
        second.TrustBundle.Authorities.ShouldHaveSingleItem().Thumbprint.ShouldBe(first.Issuer.Certificate.Thumbprint);
        var pki = Path.Combine(dir.Path, "pki");
        Directory.GetFiles(pki).Select(Path.GetFileName).Order().ShouldBe(
            [".lock", "active", "ca-0001.crt.pem", "ca-0001.key.enc", "master.key", "trust-bundle.crt.pem"]);
        // The loaded CA signs with the stored key: its leaves verify against the first instance's bundle.
        using var leaf = second.Issuer.IssueServerCertificate(new() { DnsNames = ["api.openchoreo.localhost"] }).Certificate;
        first.TrustBundle.Verify(leaf, CertificateUsage.ServerAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
    }

    [Fact]
    public async Task Concurrent_first_starts_create_exactly_one_CA()
    {
        using var dir = new TempDirectory();
        var key = RandomNumberGenerator.GetBytes(32);

        var cas = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PlatformCa.LoadOrCreate(dir.Path, Options(key)), TestContext.Current.CancellationToken)));

        cas.Select(c => c.Issuer.Certificate.Thumbprint).Distinct().ShouldHaveSingleItem();
        foreach (var c in cas) c.Dispose();
    }

    [Fact]
    public void Loading_with_another_master_key_fails_cleanly()
    {
        using var dir = new TempDirectory();
        PlatformCa.LoadOrCreate(dir.Path, Options(RandomNumberGenerator.GetBytes(32))).Dispose();

        Should.Throw<KeyStoreException>(() => PlatformCa.LoadOrCreate(dir.Path, Options(RandomNumberGenerator.GetBytes(32))))
            .Message.ShouldStartWith("The private key 'ca-0001' cannot be decrypted");
    }

    [Fact]
    public void Rotation_stages_activates_and_retires_with_overlap()
    {
        using var dir = new TempDirectory();
        using var ca = PlatformCa.LoadOrCreate(dir.Path, Options());
        var provider = ca.TrustBundleProvider;
        var oldCert = ca.Issuer.Certificate;
        using var oldLeaf = ca.Issuer.IssueClientCertificate(new() { Uris = [Fixtures.Identity.ToUri()] }).Certificate;

        var staged = ca.StageNewCa();
        staged.ShouldBe("ca-0002");
        ca.ActiveGeneration.ShouldBe("ca-0001"); // staging does not switch issuing
        provider().Authorities.Count.ShouldBe(2);

        ca.Activate(staged);
        ca.Issuer.Certificate.Thumbprint.ShouldNotBe(oldCert.Thumbprint);
        using var newLeaf = ca.Issuer.IssueClientCertificate(new() { Uris = [Fixtures.Identity.ToUri()] }).Certificate;
        provider().Verify(oldLeaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
        provider().Verify(newLeaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();

        // Another process (a fresh load) sees the same state.
        using (var reloaded = PlatformCa.LoadOrCreate(dir.Path, Options()))
        {
            reloaded.ActiveGeneration.ShouldBe("ca-0002");
            reloaded.TrustBundle.Authorities.Count.ShouldBe(2);
        }

        ca.Retire("ca-0001");
        provider().Verify(oldLeaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).Failure.ShouldBe(ChainFailure.UntrustedRoot);
        provider().Verify(newLeaf, CertificateUsage.ClientAuth, DateTimeOffset.UtcNow).IsTrusted.ShouldBeTrue();
        ca.Generations().ShouldBe(["ca-0002"]);
        ca.Rotate().ShouldBe("ca-0003");
    }

    [Fact]
    public void Retiring_the_issuing_CA_or_activating_an_unstaged_name_is_refused()
    {
        using var dir = new TempDirectory();
        using var ca = PlatformCa.LoadOrCreate(dir.Path, Options());

        Should.Throw<InvalidOperationException>(() => ca.Retire("ca-0001"))
            .Message.ShouldBe("The CA 'ca-0001' is the issuing CA; activate another one before retiring it.");
        Should.Throw<ArgumentException>(() => ca.Activate("../x"))
            .Message.ShouldStartWith("'../x' is not a CA generation name (ca-NNNN).");
        Should.Throw<KeyStoreException>(() => ca.Activate("ca-0009"))
            .Message.ShouldStartWith("The certificate 'ca-0009' does not exist");
    }
}

public sealed class PlatformCaServerCertificateTests
{
    private static readonly LeafCertificateRequest ApiServer = new()
    {
        DnsNames = ["api.openchoreo.localhost", "localhost"],
        IpAddresses = [System.Net.IPAddress.Loopback],
        Lifetime = TimeSpan.FromDays(30),
    };

    [Fact]
    public void Server_certificate_is_kept_across_starts_and_reissued_on_renewal_SAN_change_or_rotation()
    {
        using var dir = new TempDirectory();
        var time = new OpenChoreo.Testing.ManualTimeProvider(DateTimeOffset.UtcNow);
        PlatformCaOptions options = new() { KeyStore = new() { ReadEnvironment = false }, TimeProvider = time };
        using var ca = PlatformCa.LoadOrCreate(dir.Path, options);

        using var first = ca.GetOrIssueCertificate("api-server", ApiServer);
        first.HasPrivateKey.ShouldBeTrue();
        File.GetUnixFileMode(Path.Combine(dir.Path, "pki", "api-server.key.enc")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using (var restarted = PlatformCa.LoadOrCreate(dir.Path, options))
        using (var same = restarted.GetOrIssueCertificate("api-server", ApiServer))
        {
            same.Thumbprint.ShouldBe(first.Thumbprint);
            same.HasPrivateKey.ShouldBeTrue();
        }

        using var renamed = ca.GetOrIssueCertificate("api-server", ApiServer with { DnsNames = ["api.openchoreo.example"] });
        renamed.Thumbprint.ShouldNotBe(first.Thumbprint);

        time.Advance(TimeSpan.FromDays(21)); // past 2/3 of 30 days
        using var renewed = ca.GetOrIssueCertificate("api-server", ApiServer with { DnsNames = ["api.openchoreo.example"] });
        renewed.Thumbprint.ShouldNotBe(renamed.Thumbprint);

        ca.Rotate();
        using var rotated = ca.GetOrIssueCertificate("api-server", ApiServer with { DnsNames = ["api.openchoreo.example"] });
        rotated.Issuer.ShouldBe(ca.Issuer.Certificate.Subject);
        rotated.Thumbprint.ShouldNotBe(renewed.Thumbprint);
        ca.TrustBundle.Verify(rotated, CertificateUsage.ServerAuth, time.GetUtcNow()).IsTrusted.ShouldBeTrue();
    }

    [Fact]
    public void CA_file_names_are_reserved()
    {
        using var dir = new TempDirectory();
        using var ca = PlatformCa.LoadOrCreate(dir.Path, new() { KeyStore = new() { ReadEnvironment = false } });

        Should.Throw<ArgumentException>(() => ca.GetOrIssueCertificate("ca-0001", ApiServer)).Message.ShouldStartWith("'ca-0001' is reserved for the CA itself.");
    }
}
