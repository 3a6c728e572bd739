using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Offline;
using OpenChoreo.Rendering.Pipeline;

namespace OpenChoreo.Rendering.Tests;

public class ComponentPipelineTests
{
    private static readonly OfflineRenderOptions Options = GoldenSampleTests.Options;

    private static RenderResult RenderSample(string sample, OfflineRenderOptions? options = null, Action<List<JsonObject>>? edit = null)
    {
        var manifests = TestPaths.ReadManifests(sample).ToList();
        edit?.Invoke(manifests);
        var r = OfflineRender.Render(manifests, options ?? Options).Single().Result;
        return r;
    }

    private static JsonObject Find(RenderResult r, string kind) => r.Resources.Single(x => x.Kind == kind).Object;

    [Fact]
    public void Exposed_service_gets_an_environment_host_with_a_component_path()
    {
        var r = RenderSample("samples/from-image/go-greeter-service/greeter-service.yaml");
        r.Errors.ShouldBeEmpty();
        var route = Find(r, "HTTPRoute");
        route["spec"]!["hostnames"]!.ToJsonString().ShouldBe("""["development.apps.openchoreo.localhost"]""");
        route["spec"]!["rules"]![0]!["matches"]![0]!["path"]!["value"]!.GetValue<string>().ShouldBe("/greeter-service");
        route["metadata"]!["name"]!.GetValue<string>().ShouldBe("greeter-service-development-a9f97fde");
        route["metadata"]!["namespace"]!.GetValue<string>().ShouldBe("dp-default-default-development-f8e58905");
        var svc = Find(r, "Service");
        svc["metadata"]!["name"]!.GetValue<string>().ShouldBe("greeter-service");
        svc["spec"]!["ports"]![0]!.ToJsonString().ShouldBe("""{"name":"http","port":80,"targetPort":9090,"protocol":"TCP"}""");
        var labels = (JsonObject)Find(r, "Deployment")["metadata"]!["labels"]!;
        labels["openchoreo.dev/organization"]!.GetValue<string>().ShouldBe("default");
        labels["openchoreo.dev/component"]!.GetValue<string>().ShouldBe("greeter-service");
        labels["openchoreo.dev/environment"]!.GetValue<string>().ShouldBe("development");
        labels["openchoreo.dev/project"]!.GetValue<string>().ShouldBe("default");
        r.Resources.Select(x => x.Id).ShouldBe([
            "configmap-greeter-service-development-a9f97fde-env-con-b54184e8", // 67 chars: cut to 54 + hash
            "deployment-greeter-service-development-a9f97fde",
            "externalsecret-greeter-service-development-a9f97fde-en-979adeb4",
            "httproute-greeter-service-development-a9f97fde",
            "service-greeter-service",
        ], ignoreOrder: false);
    }

    [Fact]
    public void Unexposed_service_has_no_route()
    {
        var r = RenderSample("samples/gcp-microservices-demo/components/cart-component.yaml");
        r.Resources.Select(x => x.Kind).ShouldBe(["ConfigMap", "Deployment", "Service"]);
    }

    [Fact]
    public void Web_application_gets_a_component_environment_host()
    {
        var r = RenderSample("samples/from-image/react-starter-web-app/react-starter.yaml", Options with { Environment = "staging", PublicVirtualHost = "apps.example.com" });
        Find(r, "HTTPRoute")["spec"]!["hostnames"]!.ToJsonString().ShouldBe("""["react-starter-staging.apps.example.com"]""");
    }

    [Fact]
    public void Traits_create_and_patch_with_overrides_applied()
    {
        var r = RenderSample("samples/component-types/component-with-traits/component-with-traits.yaml");
        r.Errors.ShouldBeEmpty();
        var pvc = Find(r, "PersistentVolumeClaim");
        pvc["metadata"]!["name"]!.GetValue<string>().ShouldBe("demo-app-with-traits-development-08a37371-data-storage");
        pvc["spec"]!["resources"]!["requests"]!["storage"]!.GetValue<string>().ShouldBe("5Gi"); // traitOverrides beat the 20Gi parameter
        pvc["spec"]!["storageClassName"]!.GetValue<string>().ShouldBe("local-path");
        var pod = Find(r, "Deployment")["spec"]!["template"]!["spec"]!;
        pod["volumes"]!.ToJsonString().ShouldBe(
            """[{"name":"app-data","persistentVolumeClaim":{"claimName":"demo-app-with-traits-development-08a37371-data-storage"}},{"name":"cache-vol","emptyDir":{}},{"name":"workspace-vol","emptyDir":{"sizeLimit":"1Gi"}}]""");
        pod["containers"]![0]!["volumeMounts"]!.ToJsonString().ShouldBe(
            """[{"name":"app-data","mountPath":"/var/data"},{"name":"cache-vol","mountPath":"/tmp/cache","readOnly":false,"subPath":""},{"name":"workspace-vol","mountPath":"/tmp/work","readOnly":false,"subPath":""}]""");
        // componentTypeEnvOverrides deep-merged over the type defaults.
        pod["containers"]![0]!["resources"]!.ToJsonString().ShouldBe("""{"requests":{"cpu":"50m","memory":"128Mi"},"limits":{"cpu":"200m","memory":"256Mi"}}""");
    }

    [Fact]
    public void Env_overrides_deep_merge_binding_values_over_component_values()
    {
        var r = RenderSample("samples/gcp-microservices-demo/components/cart-component.yaml", edit: m => m.Add((JsonObject)JsonNode.Parse("""
            {"apiVersion":"openchoreo.dev/v1alpha1","kind":"ReleaseBinding","metadata":{"name":"cart-dev","namespace":"default"},
             "spec":{"owner":{"projectName":"gcp-microservice-demo","componentName":"cart"},"environment":"development",
                     "componentTypeEnvOverrides":{"resources":{"limits":{"memory":"1Gi"}},"replicas":9}}}
            """)!));
        var deployment = Find(r, "Deployment");
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!.ToJsonString()
            .ShouldBe("""{"requests":{"cpu":"50m","memory":"128Mi"},"limits":{"cpu":"200m","memory":"1Gi"}}""");
        deployment["spec"]!["replicas"]!.GetValue<long>().ShouldBe(1); // replicas is not an envOverride: the override is pruned
    }

    [Fact]
    public void Workload_overrides_replace_in_place_and_append_by_key()
    {
        var r = RenderSample("samples/component-types/component-with-configs/component-with-configs.yaml");
        var envConfig = r.Resources.Single(x => x.Kind == "ConfigMap" && x.Name.Contains("env-configs", StringComparison.Ordinal)).Object;
        envConfig["data"]!.ToJsonString().ShouldBe("""{"LOG_LEVEL":"info","FEATURE_FLAG":"true","NEW_ENV_VAR":"new_value"}""");
        var fileConfig = r.Resources.Single(x => x.Kind == "ConfigMap" && x.Name.Contains("application-toml", StringComparison.Ordinal)).Object;
        fileConfig["data"]!["application.toml"]!.GetValue<string>().ShouldBe("schema_generation:\n  enable: false\n");
        var secretFile = r.Resources.Single(x => x.Kind == "ExternalSecret" && x.Name.Contains("gitpat", StringComparison.Ordinal)).Object;
        secretFile["spec"]!["data"]!.ToJsonString().ShouldBe("""[{"secretKey":"gitPAT","remoteRef":{"key":"github-pat"}}]""");
    }

    [Fact]
    public void Parameter_of_the_wrong_type_is_rejected_with_its_path()
    {
        var r = RenderSample("samples/gcp-microservices-demo/components/cart-component.yaml",
            edit: m => m.Single(o => (string?)o["kind"] == "Component")["spec"]!["parameters"]!["replicas"] = "two");
        r.Succeeded.ShouldBeFalse();
        r.Resources.ShouldBeEmpty();
        r.Errors.ShouldBe([new StatusCause("spec.parameters.replicas", CauseReasons.TypeInvalid, "must be of type integer, got string \"two\"")]);
    }

    [Fact]
    public void Bad_component_type_schema_is_reported_under_component_type()
    {
        var r = RenderSample("samples/component-types/component-with-traits/component-with-traits.yaml",
            edit: m => m.Single(o => (string?)o["kind"] == "ComponentType")["spec"]!["schema"]!["parameters"]!["replicas"] = "integer | default=many");
        r.Errors.ShouldBe([new StatusCause("componentType.spec.schema.parameters.replicas", CauseReasons.Invalid, "marker default: \"many\" is not an integer")]);
    }

    [Fact]
    public void Patch_target_path_missing_is_reported_with_the_operation()
    {
        var r = RenderSample("samples/component-types/component-with-traits/component-with-traits.yaml", edit: m =>
        {
            var trait = m.Single(o => (string?)o["kind"] == "Trait" && (string?)o["metadata"]!["name"] == "persistent-volume");
            trait["spec"]!["patches"]![0]!["operations"]![0]!["op"] = "replace";
            trait["spec"]!["patches"]![0]!["operations"]![0]!["path"] = "/spec/template/spec/nodeSelector/disk";
        });
        r.Errors.ShouldBe([new StatusCause("traits[data-storage].spec.patches[0].operations[0]", CauseReasons.Invalid,
            "cannot patch Deployment \"demo-app-with-traits-development-08a37371\": /spec/template/spec/nodeSelector/disk: \"nodeSelector\" does not exist")]);
    }

    [Fact]
    public void Patch_on_a_container_that_does_not_exist_is_an_error()
    {
        var r = RenderSample("samples/component-types/component-with-traits/component-with-traits.yaml",
            edit: m => m.Single(o => (string?)o["kind"] == "Component")["spec"]!["traits"]![0]!["parameters"]!["containerName"] = "ghost");
        r.Errors.Single().Message.ShouldEndWith("/spec/template/spec/containers/[?(@.name=='ghost')]/volumeMounts/-: no array element matches the filter");
    }

    [Fact]
    public void Missing_trait_and_duplicate_instances_are_errors()
    {
        RenderSample("samples/component-types/component-with-traits/component-with-traits.yaml",
            edit: m => m.RemoveAll(o => (string?)o["kind"] == "Trait" && (string?)o["metadata"]!["name"] == "emptydir-volume"))
            .Errors.ShouldBe([new StatusCause("spec.traits[1].name", CauseReasons.NotFound, "Trait \"emptydir-volume\" not found")]);
        RenderSample("samples/component-types/component-with-traits/component-with-traits.yaml",
            edit: m => m.Single(o => (string?)o["kind"] == "Component")["spec"]!["traits"]![2]!["instanceName"] = "cache")
            .Errors.ShouldBe([new StatusCause("spec.traits[2].instanceName", CauseReasons.Duplicate, "trait instance name \"cache\" is used more than once")]);
    }

    [Fact]
    public void Missing_secret_reference_is_an_error()
    {
        var r = RenderSample("samples/from-image/go-greeter-service/greeter-service.yaml",
            edit: m => m.RemoveAll(o => (string?)o["kind"] == "SecretReference"));
        r.Errors.ShouldBe([new StatusCause("workload.containers.main.env[2].valueFrom.secretRef.name", CauseReasons.NotFound, "SecretReference \"github-credentials\" not found")]);
    }

    [Fact]
    public void Observability_plane_resources_are_returned_separately_and_patch_where_filters_targets()
    {
        var input = new ComponentRenderInput
        {
            Organization = "acme",
            ProjectName = "shop",
            ComponentName = "api",
            ComponentTypeSpec = (JsonObject)JsonNode.Parse("""
                {"workloadType":"deployment","schema":{"parameters":{"names":"[]string | default=[\"a\",\"b\"]"}},
                 "resources":[
                   {"id":"deployment","template":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${metadata.name}"},"spec":{}}},
                   {"id":"cm","forEach":"${parameters.names}","var":"n","template":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${n}"},"data":{"env":"${environment.name}"}}},
                   {"id":"rule","targetPlane":"observabilityplane","template":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"alerts"}}}
                 ]}
                """)!,
            TraitSpecs = new Dictionary<string, JsonObject>
            {
                ["tag"] = (JsonObject)JsonNode.Parse("""
                    {"patches":[{"target":{"group":"","version":"v1","kind":"ConfigMap","where":"${resource.metadata.name == 'b'}"},
                                 "operations":[{"op":"mergeShallow","path":"/data","value":{"by":"${trait.instanceName}"}}]}]}
                    """)!,
            },
            ComponentSpec = (JsonObject)JsonNode.Parse("""{"traits":[{"name":"tag","instanceName":"t1"}]}""")!,
            Environment = new EnvironmentInfo("dev", "env-uid"),
            DataPlane = new DataPlaneInfo("dp", "dp-uid", "apps.local", "store"),
        };
        var r = ComponentRenderer.Default.Render(input);
        r.Errors.ShouldBeEmpty();
        r.DataPlaneResources.Select(x => $"{x.Kind}/{x.Name}").ShouldBe(["ConfigMap/a", "ConfigMap/b", "Deployment/api-dev-" + Naming.NameGenerator.ResourceName("api", "dev")[^8..]]);
        r.ObservabilityPlaneResources.Select(x => x.Name).ShouldBe(["alerts"]);
        r.Resources.Single(x => x.Name == "b").Object["data"]!.ToJsonString().ShouldBe("""{"env":"dev","by":"t1"}""");
        r.Resources.Single(x => x.Name == "a").Object["data"]!.ToJsonString().ShouldBe("""{"env":"dev"}""");
    }

    [Fact]
    public void Runaway_expression_in_a_component_type_is_stopped_by_the_default_budget()
    {
        // 50^4 = 6.25 million innermost evaluations: far past the default budget, so the render must stop early.
        const string L = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50]";
        var input = new ComponentRenderInput
        {
            Organization = "o", ProjectName = "p", ComponentName = "c",
            ComponentTypeSpec = new JsonObject
            {
                ["resources"] = new JsonArray(new JsonObject
                {
                    ["id"] = "x",
                    ["template"] = new JsonObject
                    {
                        ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "x" },
                        ["data"] = new JsonObject { ["boom"] = $"${{{L}.map(a, {L}.map(b, {L}.map(c, {L}.map(d, a+b+c+d))))}}" },
                    },
                }),
            },
            ComponentSpec = new JsonObject(),
            Environment = new EnvironmentInfo("dev"),
            DataPlane = new DataPlaneInfo("dp"),
        };
        var r = ComponentRenderer.Default.Render(input);
        r.Resources.ShouldBeEmpty();
        var error = r.Errors.ShouldHaveSingleItem();
        error.Field.ShouldBe("componentType.spec.resources[0].template.data.boom");
        error.Message.ShouldContain($"cost budget of {Templates.TemplateEngine.DefaultMaxCost} exceeded");
    }

    [Fact]
    public void Resource_without_a_name_is_rejected()
    {
        var input = new ComponentRenderInput
        {
            Organization = "o", ProjectName = "p", ComponentName = "c",
            ComponentTypeSpec = (JsonObject)JsonNode.Parse("""{"resources":[{"id":"x","template":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${oc_omit()}"}}}]}""")!,
            ComponentSpec = new JsonObject(),
            Environment = new EnvironmentInfo("dev"),
            DataPlane = new DataPlaneInfo("dp"),
        };
        ComponentRenderer.Default.Render(input).Errors.ShouldBe([
            new StatusCause("componentType.spec.resources[0].template.metadata.name", CauseReasons.Required, "the rendered resource has no metadata.name")]);
    }
}
