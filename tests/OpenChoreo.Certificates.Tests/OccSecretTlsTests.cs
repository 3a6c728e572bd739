using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Cli;
using OpenChoreo.Client;
using OpenChoreo.Pki;
using OpenChoreo.Server;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates.Tests;

/// <summary>A real control-plane host (HTTPS on a loopback port, SQLite) for the occ tests.</summary>
public sealed class ControlPlane : IAsyncLifetime
{
    private WebApplication? _app;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "occ-certs-cp-" + Guid.NewGuid().ToString("N")[..10]);

    public string CliConfigPath => Path.Combine(DataDir, AdminAccessBootstrapper.ConfigFileName);

    public IResourceStore Store => _app!.Services.GetRequiredService<IResourceStore>();

    public async ValueTask InitializeAsync()
    {
        _app = ControlPlaneHost.Build(null, new Dictionary<string, string?>
        {
            ["dataDir"] = DataDir,
            ["listen"] = "https://127.0.0.1:0",
            ["clusterGateway:listen"] = "https://127.0.0.1:0",
        }, l => l.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        var gate = _app.Services.GetRequiredService<ReadinessGate>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!gate.IsReady)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the control plane did not become ready");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary><c>occ secret tls</c>: every bad input is refused with its exact message and nothing is stored.</summary>
public sealed class OccSecretTlsTests(ControlPlane cp) : IClassFixture<ControlPlane>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("occ-tls-").FullName;
    private static readonly CertificateAuthority Ca = CertificateAuthority.Create(new CertificateAuthorityOptions { CommonName = "byo test CA" });

    private async Task<(int Code, string Out, string Err)> Occ(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--config", cp.CliConfigPath, .. args], stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private (string Cert, string Key) Pair(string prefix, string[] names, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var issued = Ca.IssueServerCertificate(notBefore is null
            ? new LeafCertificateRequest { DnsNames = names }
            : new LeafCertificateRequest { DnsNames = names, NotBefore = notBefore, NotAfter = notAfter });
        return (Write(prefix + ".crt", issued.ChainPem), Write(prefix + ".key", issued.PrivateKeyPem!));
    }

    private Task<ResourceObjectOrNull> SecretAsync(string name) =>
        cp.Store.GetAsync(new ResourceKey("Secret", "default", name), TestContext.Current.CancellationToken).ContinueWith(t => new ResourceObjectOrNull(t.Result));

    public sealed record ResourceObjectOrNull(OpenChoreo.Model.ResourceObject? Value);

    [Fact]
    public async Task A_valid_pair_covering_the_hosts_is_stored_as_a_tls_secret_and_get_secrets_prints_no_values()
    {
        var (crt, key) = Pair("good", ["*.apps.example.test", "apps.example.test"]);
        var (code, output, err) = await Occ("secret", "tls", "good-tls", "--cert", crt, "--key", key, "--ca", Write("ca.crt", Ca.CertificatePem),
            "-n", "default", "--hosts", "shop.apps.example.test,apps.example.test");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        output.Trim().ShouldBe("secret.openchoreo.dev/good-tls created");
        var secret = (await SecretAsync("good-tls")).Value!;
        ((string?)secret.Node["type"]).ShouldBe("kubernetes.io/tls");
        ((JsonObject)secret.Node["data"]!).Select(kv => kv.Key).Order().ShouldBe(["ca.crt", "tls.crt", "tls.key"]);

        var (getCode, table, _) = await Occ("get", "secrets", "-n", "default");
        getCode.ShouldBe(0);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["NAME", "TYPE", "DATA", "AGE"]);
        lines.ShouldContain(l => l.StartsWith("good-tls ", StringComparison.Ordinal) && l.Contains("kubernetes.io/tls") && l.Contains(" 3 "));
        var (_, wide, _) = await Occ("get", "secrets", "-n", "default", "-o", "wide");
        wide.ShouldNotContain("PRIVATE KEY");
        wide.ShouldNotContain((string)secret.Node["data"]!["tls.key"]!);
        table.ShouldNotContain((string)secret.Node["data"]!["tls.key"]!);
        table.ShouldNotContain((string)secret.Node["data"]!["tls.crt"]!);
        table.ShouldNotContain("PRIVATE KEY");
    }

    [Fact]
    public async Task A_key_that_does_not_match_the_certificate_is_refused_and_nothing_is_stored()
    {
        var (crt, _) = Pair("mismatch-a", ["www.example.test"]);
        var (_, otherKey) = Pair("mismatch-b", ["www.example.test"]);
        var (code, output, err) = await Occ("secret", "tls", "mismatch-tls", "--cert", crt, "--key", otherKey, "-n", "default");
        code.ShouldBe(1);
        output.ShouldBeEmpty();
        err.Trim().ShouldBe($"error: the private key in {otherKey} does not match the certificate in {crt}");
        (await SecretAsync("mismatch-tls")).Value.ShouldBeNull();
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_and_nothing_is_stored()
    {
        // Self-signed with a past window (a CA made today cannot sign for 2024).
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var req = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=www.example.test", ec, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var old = req.CreateSelfSigned(DateTimeOffset.Parse("2024-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse("2024-02-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var crt = Write("expired.crt", Pem.WriteCertificate(old));
        var key = Write("expired.key", Pem.WritePrivateKey(ec));
        var (code, _, err) = await Occ("secret", "tls", "expired-tls", "--cert", crt, "--key", key, "-n", "default");
        code.ShouldBe(1);
        err.Trim().ShouldBe($"error: the certificate in {crt} expired on 2024-02-01T00:00:00Z");
        (await SecretAsync("expired-tls")).Value.ShouldBeNull();
    }

    [Fact]
    public async Task A_host_the_certificate_does_not_cover_is_refused_and_nothing_is_stored()
    {
        // *.apps covers one label only: a.b.apps is not covered, nor is the bare other domain.
        var (crt, key) = Pair("narrow", ["*.apps.example.test"]);
        var (code, _, err) = await Occ("secret", "tls", "narrow-tls", "--cert", crt, "--key", key, "-n", "default",
            "--hosts", "shop.apps.example.test,a.b.apps.example.test,api.example.test");
        code.ShouldBe(1);
        err.Trim().ShouldBe($"error: the certificate in {crt} does not cover a.b.apps.example.test, api.example.test (it covers: *.apps.example.test)");
        (await SecretAsync("narrow-tls")).Value.ShouldBeNull();
    }

    [Fact]
    public async Task A_certificate_expiring_within_30_days_is_stored_with_a_warning()
    {
        var now = DateTimeOffset.UtcNow;
        var (crt, key) = Pair("soon", ["soon.example.test"], now.AddDays(-1), now.AddDays(10).AddHours(1));
        var (code, output, err) = await Occ("secret", "tls", "soon-tls", "--cert", crt, "--key", key, "-n", "default");
        code.ShouldBe(0);
        err.ShouldStartWith($"warning: the certificate in {crt} expires in 10 days (");
        output.Trim().ShouldBe("secret.openchoreo.dev/soon-tls created");
        (await SecretAsync("soon-tls")).Value.ShouldNotBeNull();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
