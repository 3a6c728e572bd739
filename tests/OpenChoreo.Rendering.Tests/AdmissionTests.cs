using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Admission;
using OpenChoreo.Rendering.Offline;

namespace OpenChoreo.Rendering.Tests;

public class AdmissionTests
{
    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    [Fact]
    public void Default_component_types_and_sample_traits_are_admitted()
    {
        foreach (var ct in DefaultComponentTypes.Get()) RenderingAdmission.ValidateComponentType(ct).ShouldBeEmpty((string?)ct["metadata"]!["name"]);
        foreach (var t in TestPaths.ReadManifests("samples/component-types/component-with-traits/component-with-traits.yaml").Where(o => (string?)o["kind"] == "Trait"))
            RenderingAdmission.ValidateTrait(t).ShouldBeEmpty();
    }

    [Fact]
    public void Component_type_errors_name_their_fields()
    {
        var ct = Obj("""
            {"spec":{"workloadType":"deployment",
              "schema":{"parameters":{"port":"integer","mode":"strin"},"envOverrides":{"port":"integer"}},
              "resources":[
                {"id":"service","includeWhen":"${parameters.port >}","template":{"apiVersion":"v1","kind":"Service","metadata":{"name":"x"},"spec":{"a":"${1 +* 2}"}}},
                {"id":"service","forEach":"${parameters.items}","template":{"kind":"ConfigMap","metadata":{"name":"y"}}}
              ]}}
            """);
        var errors = RenderingAdmission.ValidateComponentType(ct);
        errors.Select(e => $"{e.Field} | {e.Reason}").ShouldBe([
            "spec.schema.parameters.mode | FieldValueNotFound",
            "spec.schema.envOverrides.port | FieldValueDuplicate",
            "spec.resources[0].includeWhen | FieldValueInvalid",
            "spec.resources[0].template.spec.a | FieldValueInvalid",
            "spec.resources[1].id | FieldValueDuplicate",
            "spec.resources[1].var | FieldValueRequired",
            "spec.resources[1].template.apiVersion | FieldValueRequired",
            "spec.resources | FieldValueRequired",
        ]);
        errors[3].Message.ShouldStartWith("invalid CEL expression \"1 +* 2\" at line 1, column 4:");
        errors[^1].Message.ShouldBe("a resource with id \"deployment\" (the workload type) is required");
    }

    [Fact]
    public void Trait_errors_name_their_fields()
    {
        var t = Obj("""
            {"spec":{"schema":{"parameters":{"size":"string"},"envOverrides":{"size":"string | default=1Gi","bad":"integer | default=x"}},
                     "patches":[{"target":{"kind":"Deployment","version":"v1","where":"${resource.kind ==}"},
                                  "operations":[{"op":"move","path":"spec/x"},{"op":"add","path":"/a"}]}],
                     "creates":[{"targetPlane":"buildplane","template":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${'x}"}}}]}}
            """);
        RenderingAdmission.ValidateTrait(t).Select(e => e.Field).ShouldBe([
            "spec.schema.envOverrides.bad",
            "spec.schema.envOverrides.size",
            "spec.creates[0].targetPlane",
            "spec.creates[0].template.metadata.name",
            "spec.patches[0].target.group",
            "spec.patches[0].target.where",
            "spec.patches[0].operations[0].op",
            "spec.patches[0].operations[0].path",
            "spec.patches[0].operations[1].value",
        ]);
    }

    [Fact]
    public void Component_trait_instances_must_be_unique_and_parameters_valid()
    {
        var service = (JsonObject)DefaultComponentTypes.Get().Single(t => (string?)t["metadata"]!["name"] == "service")["spec"]!;
        var component = Obj("""
            {"spec":{"parameters":{"replicas":"2","resources":{"requests":{"cpu":1}}},
                     "traits":[{"name":"a","instanceName":"x"},{"name":"b","instanceName":"x"}]}}
            """);
        RenderingAdmission.ValidateComponent(component, service).ShouldBe([
            new StatusCause("spec.parameters.replicas", CauseReasons.TypeInvalid, "must be of type integer, got string \"2\""),
            new StatusCause("spec.parameters.resources.requests.cpu", CauseReasons.TypeInvalid, "must be of type string, got integer 1"),
            new StatusCause("spec.traits[1].instanceName", CauseReasons.Duplicate, "trait instance name \"x\" is used more than once"),
        ]);
    }

    [Fact]
    public void Component_without_type_only_checks_trait_instances() =>
        RenderingAdmission.ValidateComponent(Obj("""{"spec":{"parameters":{"replicas":"many"}}}""")).ShouldBeEmpty();
}
