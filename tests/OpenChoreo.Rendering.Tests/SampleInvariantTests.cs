using System.Text.Json.Nodes;
using OpenChoreo.Rendering.Naming;
using OpenChoreo.Rendering.Offline;

namespace OpenChoreo.Rendering.Tests;

/// <summary>
/// What every sample's golden file must show, asserted from the rules rather than from the golden text: the
/// generated names and namespace, the common labels, Service ports that reach a container port, and the hostnames
/// of the default <c>service</c> (<c>&lt;env&gt;.&lt;vhost&gt;</c>, path <c>/&lt;component&gt;</c>) and
/// <c>web-application</c> (<c>&lt;component&gt;-&lt;env&gt;.&lt;vhost&gt;</c>) types.
/// </summary>
public class SampleInvariantTests
{
    private const string Env = "development";
    private const string VHost = "apps.openchoreo.localhost";

    private static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "CronJob", "Job"];

    public static TheoryData<string> Samples() => GoldenSampleTests.Samples();

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_resources_follow_the_naming_labelling_port_and_host_rules(string sample)
    {
        var manifests = TestPaths.ReadManifests(sample);
        var results = OfflineRender.Render(manifests, GoldenSampleTests.Options);
        foreach (var component in manifests.Where(m => (string?)m["kind"] == "Component"))
        {
            var name = (string)component["metadata"]!["name"]!;
            var org = (string?)component["metadata"]!["namespace"] ?? "default";
            var project = (string)component["spec"]!["owner"]!["projectName"]!;
            var type = (string)component["spec"]!["componentType"]!;
            var result = results.Single(r => r.ComponentName == name).Result;
            result.Errors.ShouldBeEmpty();
            var resources = result.Resources.Select(r => r.Object).ToList();
            resources.ShouldNotBeEmpty();

            var ns = NameGenerator.CellNamespace(org, project, Env);
            foreach (var r in resources)
            {
                var what = $"{sample}: {r["kind"]} {r["metadata"]!["name"]}";
                ((string?)r["metadata"]!["namespace"]).ShouldBe(ns, what);
                var labels = (JsonObject)r["metadata"]!["labels"]!;
                ((string?)labels["openchoreo.dev/component"]).ShouldBe(name, what);
                ((string?)labels["openchoreo.dev/environment"]).ShouldBe(Env, what);
                ((string?)labels["openchoreo.dev/project"]).ShouldBe(project, what);
            }

            var workload = resources.Single(r => WorkloadKinds.Contains((string?)r["kind"]));
            ((string?)workload["metadata"]!["name"]).ShouldBe(NameGenerator.ResourceName(name, Env));

            var containerPorts = workload.ToJsonString().Contains("\"containerPort\"", StringComparison.Ordinal)
                ? PodSpec(workload)["containers"]!.AsArray().SelectMany(c => c!["ports"]?.AsArray() ?? []).Select(p => (long)p!["containerPort"]!).ToHashSet()
                : [];
            foreach (var svc in resources.Where(r => (string?)r["kind"] == "Service"))
                foreach (var port in svc["spec"]!["ports"]!.AsArray())
                {
                    ((long)port!["port"]!).ShouldBe(80);
                    containerPorts.ShouldContain((long)port["targetPort"]!, $"{sample}: Service port {port.ToJsonString()} reaches no container port");
                }

            var routes = resources.Where(r => (string?)r["kind"] == "HTTPRoute").ToList();
            switch (type)
            {
                case "deployment/service":
                    {
                        bool exposed = (bool?)component["spec"]!["parameters"]?["exposed"] ?? false;
                        routes.Count.ShouldBe(exposed ? 1 : 0, sample);
                        foreach (var route in routes)
                        {
                            route["spec"]!["hostnames"]!.ToJsonString().ShouldBe($"[\"{Env}.{VHost}\"]");
                            ((string?)route["spec"]!["rules"]![0]!["matches"]![0]!["path"]!["value"]).ShouldBe("/" + name);
                        }
                        break;
                    }
                case "deployment/web-application":
                    routes.ShouldHaveSingleItem(sample)["spec"]!["hostnames"]!.ToJsonString().ShouldBe($"[\"{name}-{Env}.{VHost}\"]");
                    break;
            }
        }
    }

    private static JsonNode PodSpec(JsonObject workload) => (string?)workload["kind"] switch
    {
        "CronJob" => workload["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!,
        _ => workload["spec"]!["template"]!["spec"]!,
    };
}
