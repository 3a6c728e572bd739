using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Workflow;

namespace OpenChoreo.Rendering.Tests;

public class WorkflowRendererTests
{
    private static JsonObject DockerWorkflow() =>
        (JsonObject)TestPaths.ReadManifests("default-resources/component-workflows-docker.yaml").Single()["spec"]!;

    [Fact]
    public void Docker_workflow_renders_an_argo_workflow_with_defaults()
    {
        var (wf, errors) = WorkflowRenderer.Default.Render(new WorkflowRenderInput
        {
            Organization = "default",
            ProjectName = "shop",
            ComponentName = "api",
            RunName = "api-build-1",
            WorkflowSpec = DockerWorkflow(),
            SystemParameters = (JsonObject)JsonNode.Parse("""{"repository":{"url":"https://git.local/api.git","revision":{"commit":"abc123"}}}""")!,
            Parameters = (JsonObject)JsonNode.Parse("""{"docker":{}}""")!,
        });
        errors.ShouldBeEmpty();
        wf!["metadata"]!.ToJsonString().ShouldBe("""{"name":"api-build-1","namespace":"openchoreo-ci-default"}""");
        var args = wf["spec"]!["arguments"]!["parameters"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string?)p!["value"]);
        args["git-repo"].ShouldBe("https://git.local/api.git");
        args["branch"].ShouldBe("main");
        args["commit"].ShouldBe("abc123");
        args["app-path"].ShouldBe(".");
        args["dockerfile-path"].ShouldBe("./Dockerfile");
        args["image-name"].ShouldBe("shop-api-image");
    }

    [Theory]
    [InlineData("component-workflows-ballerina-buildpack.yaml")]
    [InlineData("component-workflows-docker.yaml")]
    [InlineData("component-workflows-google-cloud-buildpacks.yaml")]
    [InlineData("component-workflows-react.yaml")]
    public void Every_default_workflow_renders_with_ctx_system_parameters_and_defaulted_parameters(string file)
    {
        var spec = (JsonObject)TestPaths.ReadManifests($"default-resources/{file}").Single()["spec"]!;
        var (wf, errors) = WorkflowRenderer.Default.Render(new WorkflowRenderInput
        {
            Organization = "acme", ProjectName = "shop", ComponentName = "api", RunName = "api-build-7",
            WorkflowSpec = spec,
            SystemParameters = (JsonObject)JsonNode.Parse("""{"repository":{"url":"https://git.local/api.git","revision":{"commit":"c0ffee"}}}""")!,
            Parameters = (JsonObject)JsonNode.Parse(file.Contains("docker", StringComparison.Ordinal) ? """{"docker":{}}""" : "{}")!,
        });
        errors.ShouldBeEmpty();
        ((string?)wf!["metadata"]!["name"]).ShouldBe("api-build-7"); // ctx.componentWorkflowRunName
        ((string?)wf["metadata"]!["namespace"]).ShouldBe("openchoreo-ci-acme"); // ctx.orgName
        var text = wf.ToJsonString();
        text.ShouldNotContain("${"); // every expression was evaluated
        text.ShouldContain("https://git.local/api.git"); // systemParameters.repository.url
        text.ShouldContain("c0ffee");
        if (file.Contains("react", StringComparison.Ordinal)) text.ShouldContain("\"18\""); // parameters.nodeVersion default
    }

    [Fact]
    public void Absent_system_parameters_render_empty_as_upstream_does()
    {
        var (wf, errors) = WorkflowRenderer.Default.Render(new WorkflowRenderInput
        {
            Organization = "default", ProjectName = "shop", ComponentName = "api", RunName = "r",
            WorkflowSpec = DockerWorkflow(),
            SystemParameters = (JsonObject)JsonNode.Parse("""{"repository":{"url":"https://git.local/x.git"}}""")!,
            Parameters = (JsonObject)JsonNode.Parse("""{"docker":{"context":"/svc"}}""")!,
        });
        errors.ShouldBeEmpty();
        var args = wf!["spec"]!["arguments"]!["parameters"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (string?)p!["value"]);
        args["commit"].ShouldBe("");
        args["docker-context"].ShouldBe("/svc");
    }

    [Fact]
    public void Wrongly_typed_parameters_are_reported() =>
        WorkflowRenderer.Default.Render(new WorkflowRenderInput
        {
            Organization = "default", ProjectName = "shop", ComponentName = "api", RunName = "r",
            WorkflowSpec = DockerWorkflow(),
            SystemParameters = (JsonObject)JsonNode.Parse("""{"repository":{"url":42}}""")!,
        }).Errors.ShouldBe([
            new StatusCause("spec.workflow.parameters.docker", CauseReasons.Required, "required value"),
            new StatusCause("spec.workflow.systemParameters.repository.url", CauseReasons.TypeInvalid, "must be of type string, got integer 42"),
        ]);
}
