using System.Text.Json.Nodes;
using OpenChoreo.Rendering.Naming;
using OpenChoreo.Rendering.Pipeline;

namespace OpenChoreo.Rendering.Tests;

/// <summary>
/// The variables templates see (component and trait context, <c>resource</c> in a patch's <c>where</c>) and the
/// pipeline's ordering and plane routing, each asserted field by field on a render built for the purpose.
/// </summary>
public class RenderContextTests
{
    private static JsonObject J(string json) => (JsonObject)JsonNode.Parse(json)!;

    /// <summary>Compact JSON with object keys sorted, so comparisons ignore key order.</summary>
    private static string Canon(JsonNode? node) => Templates.GoFormat.SortedJson(node);

    private static ComponentRenderInput ContextInput() => new()
    {
        Organization = "acme",
        ProjectName = "shop",
        ComponentName = "api",
        ComponentUid = "c-uid",
        ProjectUid = "p-uid",
        Annotations = new Dictionary<string, string> { ["note"] = "x" },
        Environment = new EnvironmentInfo("dev", "e-uid", J("""{"isProduction":false}""")),
        DataPlane = new DataPlaneInfo("dp1", "dp-uid", "apps.example.com", "vault"),
        ComponentTypeSpec = J("""
            {"workloadType":"deployment",
             "schema":{"parameters":{"replicas":"integer | default=1","name":"string"},"envOverrides":{"cpu":"string | default=100m"}},
             "resources":[
               {"id":"deployment","template":{"apiVersion":"v1","kind":"Context","metadata":{"name":"ctx"},
                 "data":{"metadata":"${metadata}","parameters":"${parameters}","workload":"${workload}",
                         "configurations":"${configurations}","dataplane":"${dataplane}","environment":"${environment}"}}},
               {"id":"skipped","includeWhen":"${parameters.nothing.here == 'x'}",
                "template":{"apiVersion":"v1","kind":"Context","metadata":{"name":"never"}}}
             ]}
            """),
        TraitSpecs = new Dictionary<string, JsonObject>
        {
            ["probe"] = J("""
                {"schema":{"parameters":{"label":"string"},"envOverrides":{"level":"string | default=low"}},
                 "creates":[{"forEach":"${['x', 'y']}",
                   "template":{"apiVersion":"v1","kind":"TraitContext","metadata":{"name":"t-${item}"},
                               "data":{"metadata":"${metadata.name}","trait":"${trait}","parameters":"${parameters}"}}}],
                 "patches":[
                   {"target":{"group":"","version":"v1","kind":"Context","where":"${resource.metadata.name == 'ctx' && resource.data.parameters.replicas == 1}"},
                    "operations":[{"op":"add","path":"/seenBy","value":"${trait.instanceName}"}]},
                   {"target":{"group":"","version":"v1","kind":"Context","where":"${resource.data.nope.deeper == 1}"},
                    "operations":[{"op":"add","path":"/neverSet","value":true}]}
                 ]}
                """),
        },
        ComponentSpec = J("""
            {"parameters":{"name":"n","junk":1},
             "traits":[{"name":"probe","instanceName":"p1","parameters":{"label":"L"}}]}
            """),
        ReleaseBindingSpec = J("""{"componentTypeEnvOverrides":{"cpu":"2"},"traitOverrides":{"p1":{"level":"high"}}}"""),
        WorkloadSpec = J("""
            {"containers":{"main":{"image":"img:1","command":["run"],"args":["--x"],
               "env":[{"key":"A","value":"1"},{"key":"S","valueFrom":{"secretRef":{"name":"creds","key":"token"}}}],
               "files":[{"key":"app.toml","mountPath":"/etc","value":"k=1"},
                        {"key":"cert.pem","mountPath":"/tls","valueFrom":{"secretRef":{"name":"creds","key":"cert"}}}]}},
             "endpoints":{"http":{"type":"HTTP","port":8080}},
             "connections":{"db":{"type":"api"}}}
            """),
        SecretReferences =
        [
            J("""{"metadata":{"name":"creds"},"spec":{"data":[{"secretKey":"token","remoteRef":{"key":"gh","property":"pat"}},{"secretKey":"cert","remoteRef":{"key":"tls","version":"2"}}]}}"""),
        ],
    };

    [Fact]
    public void Component_templates_see_every_context_field()
    {
        var r = ComponentRenderer.Default.Render(ContextInput());
        r.Errors.ShouldBeEmpty();
        var data = r.Resources.Single(x => x.Kind == "Context").Object["data"]!;
        string name = NameGenerator.ResourceName("api", "dev"), ns = NameGenerator.CellNamespace("acme", "shop", "dev");
        Canon(data["metadata"]).ShouldBe(Canon(JsonNode.Parse("""
            {"name":"NAME","namespace":"NS","componentName":"api","componentUID":"c-uid","projectName":"shop","projectUID":"p-uid",
             "environmentName":"dev","environmentUID":"e-uid","dataPlaneName":"dp1","dataPlaneUID":"dp-uid",
             "labels":{"openchoreo.dev/organization":"acme","openchoreo.dev/project":"shop","openchoreo.dev/component":"api","openchoreo.dev/environment":"dev"},
             "annotations":{"note":"x"},
             "podSelectors":{"openchoreo.dev/component-uid":"c-uid","openchoreo.dev/environment-uid":"e-uid","openchoreo.dev/project-uid":"p-uid"}}
            """.Replace("NAME", name, StringComparison.Ordinal).Replace("NS", ns, StringComparison.Ordinal))));
        // parameters: pruned to the schema (junk dropped), defaulted, then the envOverride from the binding merged in.
        Canon(data["parameters"]).ShouldBe("""{"cpu":"2","name":"n","replicas":1}""");
        Canon(data["workload"]).ShouldBe(Canon(JsonNode.Parse("""
            {"containers":{"main":{"image":"img:1","command":["run"],"args":["--x"]}},
             "endpoints":{"http":{"type":"HTTP","port":8080}},
             "connections":{"db":{"type":"api"}}}
            """)));
        // Secrets resolve through the SecretReference's data[].secretKey to its remoteRef.
        Canon(data["configurations"]).ShouldBe(Canon(JsonNode.Parse("""
            {"main":{"configs":{"envs":[{"name":"A","value":"1"}],"files":[{"name":"app.toml","mountPath":"/etc","value":"k=1"}]},
                     "secrets":{"envs":[{"name":"S","remoteRef":{"key":"gh","property":"pat"}}],
                                "files":[{"name":"cert.pem","mountPath":"/tls","remoteRef":{"key":"tls","version":"2"}}]}}}
            """)));
        Canon(data["dataplane"]).ShouldBe("""{"name":"dp1","publicVirtualHost":"apps.example.com","secretStore":"vault"}""");
        Canon(data["environment"]).ShouldBe("""{"isProduction":false,"name":"dev","uid":"e-uid"}""");
    }

    [Fact]
    public void Include_when_on_missing_data_leaves_the_resource_out_without_an_error()
    {
        var r = ComponentRenderer.Default.Render(ContextInput());
        r.Errors.ShouldBeEmpty();
        r.Resources.ShouldNotContain(x => x.Name == "never");
    }

    [Fact]
    public void Trait_templates_see_metadata_trait_and_overridden_parameters_and_where_sees_the_resource()
    {
        var r = ComponentRenderer.Default.Render(ContextInput());
        r.Errors.ShouldBeEmpty();
        // forEach without var binds "item".
        r.Resources.Select(x => $"{x.Kind}/{x.Name}").ShouldBe(["Context/ctx", "TraitContext/t-x", "TraitContext/t-y"]);
        var t = r.Resources.Single(x => x.Name == "t-x").Object["data"]!;
        ((string?)t["metadata"]).ShouldBe(NameGenerator.ResourceName("api", "dev"));
        Canon(t["trait"]).ShouldBe("""{"instanceName":"p1","name":"probe"}""");
        Canon(t["parameters"]).ShouldBe("""{"label":"L","level":"high"}"""); // traitOverrides[p1] beat the default "low"
        var ctx = r.Resources.Single(x => x.Name == "ctx").Object;
        ((string?)ctx["seenBy"]).ShouldBe("p1"); // where saw resource.data.parameters.replicas
        ctx.ContainsKey("neverSet").ShouldBeFalse(); // a where on missing data is false, not an error
        foreach (var res in r.Resources)
            ((string?)res.Object["metadata"]!["labels"]!["openchoreo.dev/component"]).ShouldBe("api", res.Name);
    }

    [Fact]
    public void Resources_sort_by_kind_api_version_namespace_and_name_and_patches_respect_the_target_plane()
    {
        static string W(string apiVersion, string ns, string name, string plane = "dataplane") =>
            new JsonObject
            {
                ["id"] = $"{name}-{ns}-{apiVersion.Replace('/', '-')}",
                ["targetPlane"] = plane,
                ["template"] = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = "Widget", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns } },
            }.ToJsonString();
        var input = new ComponentRenderInput
        {
            Organization = "o",
            ProjectName = "p",
            ComponentName = "c",
            ComponentTypeSpec = J("{\"resources\":[" + string.Join(",",
                W("b.example/v1", "n1", "z"), W("a.example/v1", "n2", "a"), W("a.example/v1", "n1", "b"), W("a.example/v1", "n1", "a"),
                W("a.example/v1", "n1", "obs", "observabilityplane"),
                """{"id":"alpha","template":{"apiVersion":"v1","kind":"Alpha","metadata":{"name":"q"}}}""") + "]}"),
            TraitSpecs = new Dictionary<string, JsonObject>
            {
                ["mark"] = J("""
                    {"patches":[{"targetPlane":"observabilityplane","target":{"group":"a.example","version":"v1","kind":"Widget"},
                                 "operations":[{"op":"add","path":"/metadata/annotations","value":{"plane":"obs"}}]},
                                {"target":{"group":"b.example","version":"v1","kind":"Widget"},
                                 "operations":[{"op":"add","path":"/metadata/annotations","value":{"plane":"data"}}]}]}
                    """),
            },
            ComponentSpec = J("""{"traits":[{"name":"mark","instanceName":"m"}]}"""),
            Environment = new EnvironmentInfo("dev"),
            DataPlane = new DataPlaneInfo("dp"),
        };
        var r = ComponentRenderer.Default.Render(input);
        r.Errors.ShouldBeEmpty();
        r.Resources.Select(x => $"{x.Kind} {x.ApiVersion} {x.Namespace} {x.Name}").ShouldBe([
            "Alpha v1  q",
            "Widget a.example/v1 n1 a",
            "Widget a.example/v1 n1 b",
            "Widget a.example/v1 n1 obs",
            "Widget a.example/v1 n2 a",
            "Widget b.example/v1 n1 z",
        ]);
        r.ObservabilityPlaneResources.Select(x => x.Name).ShouldBe(["obs"]);
        r.Resources.Where(x => x.Object["metadata"]!["annotations"] is not null)
            .Select(x => $"{x.Name}={x.Object["metadata"]!["annotations"]!["plane"]}").ShouldBe(["obs=obs", "z=data"]);
        r.ObservabilityPlaneResources.Single().Object["metadata"]!["labels"]!["openchoreo.dev/component"]!.GetValue<string>().ShouldBe("c");
    }

    [Fact]
    public void Workload_overrides_replace_env_in_place_append_new_keys_and_add_unknown_containers()
    {
        var merged = WorkloadContext.ApplyOverrides(
            J("""{"containers":{"main":{"image":"i","env":[{"key":"A","value":"1"},{"key":"B","value":"2"}],"files":[{"key":"f","mountPath":"/m","value":"old"}]}}}"""),
            J("""
                {"containers":{"main":{"env":[{"key":"C","value":"3"},{"key":"A","value":"9"}],"files":[{"key":"f","mountPath":"/m","value":"new"}]},
                               "side":{"image":"s","env":[{"key":"X","value":"x"}]}}}
                """));
        Canon(merged).ShouldBe(Canon(JsonNode.Parse("""
            {"containers":{"main":{"image":"i","env":[{"key":"A","value":"9"},{"key":"B","value":"2"},{"key":"C","value":"3"}],
                                   "files":[{"key":"f","mountPath":"/m","value":"new"}]},
                           "side":{"image":"s","env":[{"key":"X","value":"x"}]}}}
            """)));
    }
}
