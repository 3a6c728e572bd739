using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

/// <summary>Schema checks on the real embedded kinds: each bad input names the exact field and reason.</summary>
public class SchemaTests
{
    private static IReadOnlyList<StatusCause> Create(ResourceObject obj) => Objects.WithoutRulesNote(ObjectValidator.Shared.ValidateCreate(obj));

    [Fact]
    public void Schema_errors_that_block_rules_add_the_kubernetes_note()
    {
        var causes = ObjectValidator.Shared.ValidateCreate(Objects.Component("componentType: deployment/service"));
        causes.ShouldBe([
            new StatusCause("spec.owner", CauseReasons.Required, "Required value"),
            new StatusCause("", CauseReasons.Invalid, Objects.RulesNotCheckedNote),
        ]);
    }

    [Fact]
    public void Errors_that_do_not_block_rules_let_rules_run()
    {
        // A pattern failure is not blocking (as in Kubernetes): the has(type) || has(componentType) rule still runs.
        var obj = Objects.Component("""
            owner:
              projectName: ""
            """);
        ObjectValidator.Shared.ValidateCreate(obj).ShouldBe([
            new StatusCause("spec.owner.projectName", CauseReasons.Invalid, "Invalid value: \"\": should be at least 1 chars long"),
            new StatusCause("spec", CauseReasons.Invalid, "Invalid value: \"object\": Component must have either spec.type or spec.componentType set"),
        ]);
    }

    [Fact]
    public void A_valid_component_has_no_causes() => Create(Objects.Component()).ShouldBeEmpty();

    [Fact]
    public void Missing_required_field_is_reported_at_its_path()
    {
        var obj = Objects.Component("""
            owner: {}
            componentType: deployment/service
            """);
        Create(obj).ShouldBe([new StatusCause("spec.owner.projectName", CauseReasons.Required, "Required value")]);
    }

    [Fact]
    public void Missing_required_object_is_reported()
    {
        var causes = Create(Objects.Component("componentType: deployment/service"));
        causes.ShouldBe([new StatusCause("spec.owner", CauseReasons.Required, "Required value")]);
    }

    [Fact]
    public void Wrong_type_names_the_expected_type()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
            componentType: deployment/service
            autoDeploy: "yes"
            """);
        Create(obj).ShouldBe([new StatusCause("spec.autoDeploy", CauseReasons.TypeInvalid,
            "Invalid value: \"string\": must be of type boolean")]);
    }

    [Fact]
    public void Integer_fields_refuse_strings_and_fractions()
    {
        var wf = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ReleaseBinding
            metadata: {name: b, namespace: default}
            spec:
              owner: {projectName: p, componentName: c}
              environment: dev
            status:
              conditions:
              - type: Ready
                status: "True"
                reason: Ok
                message: ok
                lastTransitionTime: "2026-01-01T00:00:00Z"
                observedGeneration: 1.0
            """);
        var causes = Create(wf);
        causes.ShouldContain(new StatusCause("status.conditions[0].observedGeneration", CauseReasons.TypeInvalid,
            "Invalid value: \"number\": must be of type integer"));

        wf.Node["status"]!["conditions"]![0]!["observedGeneration"] = "1";
        Create(wf).ShouldContain(new StatusCause("status.conditions[0].observedGeneration", CauseReasons.TypeInvalid,
            "Invalid value: \"string\": must be of type integer"));

        wf.Node["status"]!["conditions"]![0]!["observedGeneration"] = 1;
        Create(wf).ShouldBeEmpty();
    }

    [Fact]
    public void Integer_parsed_from_json_text_with_fraction_is_not_an_integer()
    {
        var wf = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ReleaseBinding
            metadata: {name: b, namespace: default}
            spec:
              owner: {projectName: p, componentName: c}
              environment: dev
            """);
        wf.Node["status"] = JsonNode.Parse("""{"conditions":[{"type":"Ready","status":"True","reason":"Ok","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":2.0}]}""");
        Create(wf).ShouldBe([new StatusCause("status.conditions[0].observedGeneration", CauseReasons.TypeInvalid,
            "Invalid value: \"number\": must be of type integer")]);
    }

    [Fact]
    public void Bad_enum_lists_the_supported_values()
    {
        var ct = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: t, namespace: default}
            spec:
              creates:
              - targetPlane: moon
                template: {apiVersion: v1, kind: ConfigMap}
            """);
        var causes = Create(ct);
        causes.Count.ShouldBe(1);
        causes[0].Field.ShouldBe("spec.creates[0].targetPlane");
        causes[0].Reason.ShouldBe(CauseReasons.NotSupported);
        causes[0].Message.ShouldStartWith("Unsupported value: \"moon\": supported values: \"dataplane\", ");
    }

    [Fact]
    public void Pattern_mismatch_names_the_pattern()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
            componentType: foo
            """);
        Create(obj).ShouldBe([new StatusCause("spec.componentType", CauseReasons.Invalid,
            "Invalid value: \"foo\": should match '^(deployment|statefulset|cronjob|job|proxy)/[a-z0-9]([-a-z0-9]*[a-z0-9])?$'")]);
    }

    [Fact]
    public void Pattern_end_anchor_does_not_accept_a_trailing_newline()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
            componentType: "deployment/service\n"
            """);
        Create(obj).Single().Field.ShouldBe("spec.componentType");
    }

    [Fact]
    public void Min_length_is_checked()
    {
        var obj = Objects.Component("""
            owner:
              projectName: ""
            componentType: deployment/service
            """);
        Create(obj).ShouldBe([new StatusCause("spec.owner.projectName", CauseReasons.Invalid,
            "Invalid value: \"\": should be at least 1 chars long")]);
    }

    [Fact]
    public void Unknown_field_is_refused_with_its_full_path()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
              team: x
            componentType: deployment/service
            foo: 1
            """);
        var causes = Create(obj);
        causes.ShouldContain(new StatusCause("spec.owner.team", CauseReasons.Unknown, "unknown field \"spec.owner.team\""));
        causes.ShouldContain(new StatusCause("spec.foo", CauseReasons.Unknown, "unknown field \"spec.foo\""));
    }

    [Fact]
    public void Unknown_field_inside_a_list_item_is_refused()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
            componentType: deployment/service
            traits:
            - name: storage
              instanceName: data
              bogus: true
            """);
        Create(obj).ShouldContain(new StatusCause("spec.traits[0].bogus", CauseReasons.Unknown, "unknown field \"spec.traits[0].bogus\""));
    }

    [Fact]
    public void Required_field_of_a_list_item_is_reported_with_its_index()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
            componentType: deployment/service
            traits:
            - name: storage
              instanceName: a
            - name: storage
            """);
        Create(obj).ShouldContain(new StatusCause("spec.traits[1].instanceName", CauseReasons.Required, "Required value"));
    }

    [Fact]
    public void Preserved_fields_accept_anything_below()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
            componentType: deployment/service
            parameters:
              anything: {nested: [1, "two", {three: 3}]}
            """);
        Create(obj).ShouldBeEmpty();
    }

    [Fact]
    public void Unknown_top_level_field_is_refused()
    {
        var obj = Objects.Component();
        obj.Node["extra"] = 1;
        Create(obj).ShouldBe([new StatusCause("extra", CauseReasons.Unknown, "unknown field \"extra\"")]);
    }

    [Fact]
    public void Map_values_are_validated_with_their_key_in_the_path()
    {
        var wl = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Workload
            metadata: {name: w, namespace: default}
            spec:
              owner: {projectName: p, componentName: c}
              containers:
                main:
                  image: 42
            """);
        Create(wl).ShouldBe([new StatusCause("spec.containers[main].image", CauseReasons.TypeInvalid,
            "Invalid value: \"integer\": must be of type string")]);
    }

    [Fact]
    public void Date_time_format_is_checked()
    {
        var rb = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ReleaseBinding
            metadata: {name: b, namespace: default}
            spec:
              owner: {projectName: p, componentName: c}
              environment: dev
            status:
              conditions:
              - type: Ready
                status: "True"
                reason: Ok
                message: ok
                lastTransitionTime: yesterday
            """);
        Create(rb).ShouldBe([new StatusCause("status.conditions[0].lastTransitionTime", CauseReasons.Invalid,
            "Invalid value: \"yesterday\": must be of type date-time")]);
    }
}
