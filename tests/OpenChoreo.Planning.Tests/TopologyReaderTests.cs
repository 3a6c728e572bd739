namespace OpenChoreo.Planning.Tests;

/// <summary>Bad topology files: every error names its field path, and all errors come at once.</summary>
public sealed class TopologyReaderTests
{
    [Fact]
    public void Reads_a_full_topology()
    {
        var t = TopologyReader.Read("""
            domain: example.com
            cloud: eks
            ha: {controlPlaneReplicas: 2, postgres: managed, logStoreNodes: 3}
            clusters:
              - name: hub
                nodes: 4
                kubernetesVersion: "1.33"
                planes:
                  - type: control
                    tls: {strategy: issuer, issuerRef: {name: corp, kind: Issuer}}
                  - type: data
                    name: eu
                    environments: [production]
                    tls: {strategy: acme, solver: dns01, dnsProvider: cloudflare, email: a@example.com}
            """);
        t.Domain.ShouldBe("example.com");
        t.Ha.ShouldBe(new HaSpec(true, 2, PostgresMode.Managed, 3));
        var c = t.Clusters.Single();
        (c.Name, c.Cloud, c.KubernetesVersion, c.Nodes).ShouldBe(("hub", CloudProvider.Eks, "1.33", 4));
        c.Planes[0].Tls!.ShouldBe(new TlsSpec(TlsStrategy.Issuer) { IssuerName = "corp", IssuerKind = "Issuer" });
        c.Planes[1].Name.ShouldBe("eu");
        c.Planes[1].Environments.ShouldBe(["production"]);
        c.Planes[1].Tls!.ShouldBe(new TlsSpec(TlsStrategy.Acme) { Solver = AcmeSolver.Dns01, DnsProvider = "cloudflare", Email = "a@example.com" });
    }

    [Fact]
    public void Reports_every_error_with_its_path()
    {
        var e = Should.Throw<TopologyException>(() => TopologyReader.Read("""
            domain: Example_Com
            clouds: eks
            ha: {postgres: sometimes}
            clusters:
              - name: hub
                nodes: many
                planes:
                  - type: gateway
                  - type: data
                    tls: {strategy: letsencrypt, solver: tls-alpn}
                  - type: control
                    tls: {strategy: issuer}
              - name: empty
            """));
        e.Errors.ShouldBe([
            "clouds: unknown field (known: domain, cloud, kubernetesVersion, ha, clusters)",
            "domain: \"Example_Com\" is not a DNS name (lower-case letters, digits, '-' and '.')",
            "ha.postgres: \"sometimes\" is not one of single, primary-replica, managed",
            "clusters[0].nodes: must be an integer",
            "clusters[0].planes[0].type: \"gateway\" is not one of control, data, build, observability",
            "clusters[0].planes[1].tls.strategy: \"letsencrypt\" is not one of acme, issuer, ca, bring-your-own, self-signed",
            "clusters[0].planes[1].tls.solver: \"tls-alpn\" is not one of http01, dns01",
            "clusters[0].planes[2].tls.issuerRef: strategy issuer needs issuerRef.name",
            "clusters[1].planes: at least one plane is required",
        ]);
    }

    [Theory]
    [InlineData("", "the file must hold a mapping with domain and clusters")]
    [InlineData("domain: example.com", "clusters: at least one cluster is required")]
    [InlineData("domain: example.com\nclusters: []", "clusters: at least one cluster is required")]
    [InlineData("clusters: [{name: a, planes: [{type: data}]}]", "domain: required")]
    [InlineData("domain: example.com\nclusters: [{name: a, planes: [{type: data, tls: {strategy: acme, server: 'http://acme.test/dir'}}]}]",
        "clusters[0].planes[0].tls.server: \"http://acme.test/dir\" is not an https URL")]
    public void Rejects_incomplete_files(string yaml, string error) =>
        Should.Throw<TopologyException>(() => TopologyReader.Read(yaml)).Errors.ShouldBe([error]);

    [Fact]
    public void Refuses_oversized_files() =>
        Should.Throw<TopologyException>(() => TopologyReader.Read(new string('#', TopologyReader.MaxBytes + 1))).Errors
            .ShouldBe(["the file is larger than 256 KiB"]);

    [Fact]
    public async Task Occ_plan_names_the_file_and_changes_nothing_on_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-topology-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "domain: example.com\nclusters: [{name: a, planes: [{type: moon}]}]\n", TestContext.Current.CancellationToken);
        try
        {
            var (code, stdout, stderr) = await GoldenPlanTests.OccAsync("plan", "-f", path);
            code.ShouldBe(1);
            stdout.ShouldBeEmpty();
            stderr.ShouldBe($"error: {path}: invalid topology:\n  clusters[0].planes[0].type: \"moon\" is not one of control, data, build, observability\n");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
