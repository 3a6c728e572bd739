using OpenChoreo.Cli;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Tests;

public class RenderCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Occ(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, new StringReader(""));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Renders_a_sample_to_multi_document_yaml_like_the_golden_file()
    {
        var sample = Path.Combine(TestPaths.Conformance, "samples/from-image/go-greeter-service/greeter-service.yaml");
        var (code, stdout, stderr) = await Occ("render", "-f", sample, "--dataplane-vhost", "apps.openchoreo.localhost");
        stderr.ShouldBeEmpty();
        code.ShouldBe(0);
        var golden = File.ReadAllText(Path.Combine(TestPaths.Golden, "from-image/greeter-service.yaml"));
        stdout.ShouldBe(golden[(golden.IndexOf('\n') + 1)..]); // the golden file starts with a "# component:" line
        YamlCodec.ReadAll(stdout).Count.ShouldBe(5);
    }

    [Fact]
    public async Task Env_and_vhost_options_shape_names_and_hosts()
    {
        var sample = Path.Combine(TestPaths.Conformance, "samples/from-image/react-starter-web-app/react-starter.yaml");
        var (code, stdout, _) = await Occ("render", "-f", sample, "--env", "production", "--dataplane-vhost", "apps.example.com", "--org", "acme");
        code.ShouldBe(0);
        stdout.ShouldContain("- react-starter-production.apps.example.com\n");
        stdout.ShouldContain("namespace: dp-acme-default-production-");
    }

    [Fact]
    public async Task Manifests_split_across_several_files_render_together_with_project_and_env_options()
    {
        var dir = Directory.CreateTempSubdirectory("occ-render-");
        try
        {
            var docs = TestPaths.ReadManifests("samples/component-types/component-with-traits/component-with-traits.yaml");
            var traits = Path.Combine(dir.FullName, "traits.yaml");
            var rest = Path.Combine(dir.FullName, "rest.yaml");
            var type = Path.Combine(dir.FullName, "type.yaml");
            await File.WriteAllTextAsync(traits, YamlCodec.WriteAll(docs.Where(d => (string?)d["kind"] == "Trait")), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(type, YamlCodec.WriteAll(docs.Where(d => (string?)d["kind"] == "ComponentType")), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(rest, YamlCodec.WriteAll(docs.Where(d => (string?)d["kind"] is not ("Trait" or "ComponentType"))), TestContext.Current.CancellationToken);
            var (code, stdout, stderr) = await Occ("render", "-f", traits, type, "-f", rest, "--project", "other", "--env", "staging");
            stderr.ShouldBeEmpty();
            code.ShouldBe(0);
            var rendered = YamlCodec.ReadAll(stdout).Select(d => d!.AsObject()).ToList();
            rendered.Select(d => (string?)d["kind"]).ShouldContain("PersistentVolumeClaim"); // the trait came from another file
            var ns = Naming.NameGenerator.CellNamespace("default", "other", "staging");
            rendered.ShouldAllBe(d => (string?)d["metadata"]!["namespace"] == ns);
            rendered.ShouldAllBe(d => (string?)d["metadata"]!["labels"]!["openchoreo.dev/project"] == "other");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_file_is_an_error_on_stderr()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"occ-render-missing-{Guid.NewGuid():N}.yaml");
        var (code, stdout, stderr) = await Occ("render", "-f", missing);
        code.ShouldNotBe(0);
        stdout.ShouldBeEmpty();
        stderr.ShouldContain(missing);
    }

    [Fact]
    public async Task Render_errors_go_to_stderr_with_a_non_zero_exit()
    {
        var dir = Directory.CreateTempSubdirectory("occ-render-");
        try
        {
            var file = Path.Combine(dir.FullName, "c.yaml");
            await File.WriteAllTextAsync(file, """
                apiVersion: openchoreo.dev/v1alpha1
                kind: Component
                metadata: {name: web, namespace: default}
                spec:
                  owner: {projectName: default}
                  componentType: deployment/service
                  parameters: {replicas: lots}
                """, TestContext.Current.CancellationToken);
            var (code, stdout, stderr) = await Occ("render", "-f", file);
            code.ShouldBe(1);
            stdout.ShouldBeEmpty();
            stderr.ShouldBe("error: component \"web\": spec.parameters.replicas: must be of type integer, got string \"lots\"\n");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Unknown_component_type_is_reported()
    {
        var dir = Directory.CreateTempSubdirectory("occ-render-");
        try
        {
            var file = Path.Combine(dir.FullName, "c.yaml");
            await File.WriteAllTextAsync(file, "kind: Component\nmetadata: {name: w}\nspec: {componentType: deployment/nope}\n", TestContext.Current.CancellationToken);
            var (code, _, stderr) = await Occ("render", "-f", file);
            code.ShouldBe(1);
            stderr.ShouldBe("error: component \"w\": spec.componentType: ComponentType \"nope\" is neither among the files nor a default (scheduled-task, service, web-application)\n");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
