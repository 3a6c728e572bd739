using OpenChoreo.Cli;
using OpenChoreo.Model;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary><c>occ</c> run in-process against a real control plane.</summary>
public sealed class CliTests(QuietControlPlaneFixture cp) : IClassFixture<QuietControlPlaneFixture>
{
    private async Task<(int Code, string Out, string Err)> Occ(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--config", cp.CliConfigPath, .. args], stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task<(int Code, string Out, string Err)> OccStdin(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["--config", cp.CliConfigPath, .. args], stdout, stderr, new StringReader(stdin));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Apply_samples_recursively_then_get_components_across_namespaces()
    {
        var samples = Path.Combine(Conformance.OpenChoreoDir, "samples");
        var (code, output, err) = await Occ("apply", "-f", samples, "-R");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        output.ShouldContain("component.openchoreo.dev/greeter-service created");
        output.ShouldContain("project.openchoreo.dev/gcp-microservice-demo created");

        var (getCode, table, _) = await Occ("get", "components", "-A");
        getCode.ShouldBe(0);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["NAMESPACE", "NAME", "PROJECT", "TYPE", "READY", "AGE"]);
        lines.ShouldContain(l => l.Contains("greeter-service") && l.Contains("deployment/service"));
        lines.ShouldContain(l => l.Contains("frontend") && l.Contains("gcp-microservice-demo") && l.Contains("deployment/web-application"));

        var (again, output2, _) = await Occ("apply", "-f", samples, "-R");
        again.ShouldBe(0);
        output2.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldAllBe(l => l.EndsWith(" unchanged"));
    }

    /// <summary>Documents in the reverse of their dependencies: a new organization, its type and trait come last.</summary>
    private static string Reversed(string org) => $$"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Workload
        metadata: {name: shop-workload, namespace: {{org}}}
        spec:
          owner: {projectName: shop, componentName: shop}
          containers:
            main: {image: "shop:1"}
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: Component
        metadata: {name: shop, namespace: {{org}}}
        spec:
          owner: {projectName: shop}
          componentType: deployment/shop-service
          traits: [{name: shop-trait, instanceName: extra}]
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: Project
        metadata: {name: shop, namespace: {{org}}}
        spec: {deploymentPipelineRef: default}
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: Trait
        metadata: {name: shop-trait, namespace: {{org}}}
        spec: {}
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: ComponentType
        metadata: {name: shop-service, namespace: {{org}}}
        spec:
          workloadType: deployment
          resources:
            - id: deployment
              template:
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: "${metadata.name}"}
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: Organization
        metadata: {name: {{org}}}
        """;

    [Fact]
    public async Task Apply_of_one_file_sends_dependencies_first_whatever_the_document_order()
    {
        var (code, output, err) = await OccStdin(Reversed("ordered"), "apply", "-f", "-");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([
            "organization.openchoreo.dev/ordered created",
            "trait.openchoreo.dev/shop-trait created", // same rank as ComponentType: the file's order
            "componenttype.openchoreo.dev/shop-service created",
            "project.openchoreo.dev/shop created",
            "component.openchoreo.dev/shop created",
            "workload.openchoreo.dev/shop-workload created",
        ]);
    }

    [Fact]
    public async Task Apply_of_a_directory_sends_dependencies_first_across_files()
    {
        // a.yaml (read first) holds the Component; z.yaml its type, trait and organization.
        var dir = Path.Combine(cp.DataDir, "apply-order");
        Directory.CreateDirectory(Path.Combine(dir, "nested"));
        var docs = Reversed("ordered-dir").Split("\n---\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "a.yaml"), string.Join("\n---\n", docs[..3]), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "nested", "z.yaml"), string.Join("\n---\n", docs[3..]), TestContext.Current.CancellationToken);
        var (code, output, err) = await Occ("apply", "-f", dir, "-R");
        err.ShouldBeEmpty();
        code.ShouldBe(0);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(6);
        lines[0].ShouldBe("organization.openchoreo.dev/ordered-dir created");
        lines[4].ShouldBe("component.openchoreo.dev/shop created");
    }

    [Fact]
    public async Task Get_one_object_as_yaml_returns_its_spec()
    {
        const string doc = """
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: yaml-out}
            spec: {deploymentPipelineRef: default}
            """;
        (await OccStdin(doc, "apply", "-f", "-")).Code.ShouldBe(0);
        var (code, yaml, _) = await Occ("get", "proj", "yaml-out", "-o", "yaml");
        code.ShouldBe(0);
        var obj = new ResourceObject(YamlCodec.ReadOne(yaml)!.AsObject());
        obj.Name.ShouldBe("yaml-out");
        obj.Namespace.ShouldBe("default");
        ((string?)obj.Spec!["deploymentPipelineRef"]).ShouldBe("default");
        (await Occ("get", "projects", "yaml-out", "-o", "name")).Out.Trim().ShouldBe("project.openchoreo.dev/yaml-out");
    }

    [Fact]
    public async Task Kinds_resolve_by_singular_plural_or_short_name_in_any_case()
    {
        foreach (var typed in new[] { "componenttype", "ComponentTypes", "CT", "cts" })
        {
            var (code, output, _) = await Occ("get", typed);
            code.ShouldBe(0, typed);
            output.ShouldContain("WORKLOAD TYPE");
            output.ShouldContain("service");
        }
    }

    [Fact]
    public async Task Unknown_kind_fails_with_the_list_of_known_types()
    {
        var (code, _, err) = await Occ("get", "widgets");
        code.ShouldBe(1);
        err.ShouldStartWith("error: the server doesn't have a resource type \"widgets\"");
        err.ShouldContain("components");
    }

    [Fact]
    public async Task Apply_of_an_invalid_document_reports_the_server_error_and_fails()
    {
        var (code, _, err) = await OccStdin("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: Bad_Name}
            spec: {deploymentPipelineRef: default}
            """, "apply", "-f", "-");
        code.ShouldBe(1);
        err.ShouldContain("Error from server (Invalid)");
        err.ShouldContain("metadata.name");
    }

    [Fact]
    public async Task Delete_by_name_with_wait()
    {
        await OccStdin("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: short-lived}
            spec: {}
            """, "apply", "-f", "-");
        var (code, output, _) = await Occ("delete", "trait", "short-lived", "--wait");
        code.ShouldBe(0);
        output.ShouldContain("trait.openchoreo.dev \"short-lived\" deleted");
        var (getCode, _, err) = await Occ("get", "trait", "short-lived");
        getCode.ShouldBe(1);
        err.ShouldContain("NotFound");
    }

    [Fact]
    public async Task Describe_shows_identity_and_spec()
    {
        var (code, output, _) = await Occ("describe", "env", "production");
        code.ShouldBe(0);
        output.ShouldContain("Name:               production");
        output.ShouldContain("isProduction: true");
    }

    [Fact]
    public async Task Config_and_version()
    {
        var (code, output, _) = await Occ("config", "get-contexts");
        code.ShouldBe(0);
        output.ShouldContain(cp.Context.Server);
        output.ShouldNotContain(cp.Context.Token!);
        var (vcode, version, _) = await Occ("version");
        vcode.ShouldBe(0);
        version.ShouldContain("Server Version:");
    }

    [Fact]
    public async Task Missing_file_is_a_clear_error()
    {
        var (code, _, err) = await Occ("apply", "-f", "/nonexistent/file.yaml");
        code.ShouldBe(1);
        err.Trim().ShouldBe("error: the path \"/nonexistent/file.yaml\" does not exist");
    }
}
