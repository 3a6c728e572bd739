using OpenChoreo.Cli;
using OpenChoreo.Model;
using OpenChoreo.Validation;

namespace OpenChoreo.Certificates.Tests;

/// <summary>The Issuer and Certificate manifests <c>occ plan</c> emits are valid objects of our kinds, and the
/// controller reads them (no shape drift between planner and controller).</summary>
public sealed class PlannedManifestTests
{
    [Theory]
    [InlineData("--with", "build")]
    [InlineData("--tls", "ca")]
    [InlineData("--tls", "self-signed")]
    [InlineData("--tls", "acme-dns01", "--dns-provider", "cloudflare")]
    public async Task Planned_issuers_and_certificates_validate_and_parse(params string[] flags)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["plan", "--domain", "example.com", .. flags, "--resources-only"], stdout, stderr, new StringReader(""));
        code.ShouldBe(0, stderr.ToString());
        var docs = YamlCodec.ReadAll(stdout.ToString()).Select(n => new ResourceObject(n.AsObject())).ToList();
        docs.ShouldContain(d => d.Kind == "Certificate");
        foreach (var d in docs.Where(d => d.Kind is "Issuer" or "Certificate"))
        {
            ObjectValidator.Shared.Default(d);
            ObjectValidator.Shared.ValidateCreate(d).Where(c => !c.Message.Contains("rule", StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty($"{d.Kind} {d.Name}");
            if (d.Kind == "Issuer") IssuerConfig.Parse(d.Spec, out var error).ShouldNotBeNull(error);
            else CertificateSpec.Parse(d.Spec, TimeSpan.FromHours(2160), out var error).ShouldNotBeNull(error);
        }
    }
}
