using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

public class DefaultingTests
{
    [Fact]
    public void Defaults_fill_missing_fields_of_existing_objects()
    {
        var sr = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: SecretReference
            metadata: {name: creds, namespace: default}
            spec:
              template: {}
              data:
              - secretKey: token
                remoteRef: {key: github}
            """);
        ObjectValidator.Shared.Default(sr);
        sr.Spec!["refreshInterval"]!.GetValue<string>().ShouldBe("1h");
        sr.Spec!["template"]!["type"]!.GetValue<string>().ShouldBe("Opaque");
        ObjectValidator.Shared.ValidateCreate(sr).ShouldBeEmpty();
    }

    [Fact]
    public void Defaults_are_not_applied_where_the_parent_is_absent()
    {
        var sr = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: SecretReference
            metadata: {name: creds, namespace: default}
            spec:
              data:
              - secretKey: token
                remoteRef: {key: github}
            """);
        ObjectValidator.Shared.Default(sr);
        sr.Spec!.AsObject().ContainsKey("template").ShouldBeFalse();
        sr.Spec!["refreshInterval"]!.GetValue<string>().ShouldBe("1h");
    }

    [Fact]
    public void Given_values_are_kept()
    {
        var sr = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: SecretReference
            metadata: {name: creds, namespace: default}
            spec:
              refreshInterval: 5m
              data: []
            """);
        ObjectValidator.Shared.Default(sr);
        sr.Spec!["refreshInterval"]!.GetValue<string>().ShouldBe("5m");
    }

    [Fact]
    public void Defaults_apply_inside_list_items()
    {
        var trait = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Trait
            metadata: {name: t, namespace: default}
            spec:
              creates:
              - template: {apiVersion: v1, kind: ConfigMap}
              - targetPlane: observabilityplane
                template: {apiVersion: v1, kind: ConfigMap}
            """);
        ObjectValidator.Shared.Default(trait);
        trait.Spec!["creates"]![0]!["targetPlane"]!.GetValue<string>().ShouldBe("dataplane");
        trait.Spec!["creates"]![1]!["targetPlane"]!.GetValue<string>().ShouldBe("observabilityplane");
    }

    [Fact]
    public void Null_non_nullable_fields_take_the_default_or_are_dropped()
    {
        var sr = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: SecretReference
            metadata: {name: creds, namespace: default}
            spec:
              refreshInterval: null
              template: null
              data: []
            """);
        ObjectValidator.Shared.Default(sr);
        sr.Spec!["refreshInterval"]!.GetValue<string>().ShouldBe("1h");
        sr.Spec!.AsObject().ContainsKey("template").ShouldBeFalse();
    }

    [Fact]
    public void A_null_top_level_field_is_pruned()
    {
        var project = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: p, namespace: default}
            spec: null
            """);
        ObjectValidator.Shared.ValidateCreate(project).ShouldBe([new StatusCause("spec", CauseReasons.TypeInvalid, "Invalid value: \"null\": must be of type object")]);
        ObjectValidator.Shared.Default(project);
        project.Node.ContainsKey("spec").ShouldBeFalse();
        ObjectValidator.Shared.ValidateCreate(project).ShouldBeEmpty();
    }

    [Fact]
    public void Object_defaults_are_deep_copies()
    {
        var a = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ConfigurationGroup
            metadata: {name: a, namespace: default}
            spec: {}
            """);
        var b = a.DeepClone();
        ObjectValidator.Shared.Default(a);
        ObjectValidator.Shared.Default(b);
        a.Spec!["scope"].ShouldBeOfType<JsonObject>();
        ((JsonObject)a.Spec!["scope"]!)["x"] = 1;
        ((JsonObject)b.Spec!["scope"]!).Count.ShouldBe(0);
    }

    [Fact]
    public void Unknown_kinds_are_left_untouched()
    {
        var obj = Objects.Yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec: {}
            """);
        var before = obj.ToJson();
        ObjectValidator.Shared.Default(obj);
        obj.ToJson().ShouldBe(before);
    }
}

public class PruningTests
{
    [Fact]
    public void Prune_removes_undeclared_fields_everywhere_and_reports_them()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
              team: x
            componentType: deployment/service
            parameters: {anything: {goes: here}}
            traits:
            - name: storage
              instanceName: data
              bogus: true
            """);
        obj.Node["extra"] = 1;
        obj.Metadata["colour"] = "red";
        var removed = ObjectValidator.Shared.Prune(obj);
        removed.ShouldBe(["metadata.colour", "spec.owner.team", "spec.traits[0].bogus", "extra"], ignoreOrder: true);
        ObjectValidator.Shared.ValidateCreate(obj).ShouldBeEmpty();
        obj.Spec!["parameters"]!["anything"]!["goes"]!.GetValue<string>().ShouldBe("here");
    }

    [Fact]
    public void Prune_empties_objects_whose_schema_declares_no_fields()
    {
        var org = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Organization
            metadata: {name: acme}
            spec: {displayName: Acme}
            """);
        ObjectValidator.Shared.Prune(org).ShouldBe(["spec.displayName"]);
        org.Spec!.AsObject().Count.ShouldBe(0);
    }

    [Fact]
    public void Prune_leaves_valid_objects_unchanged()
    {
        var obj = Objects.Component();
        var before = obj.ToJson();
        ObjectValidator.Shared.Prune(obj).ShouldBeEmpty();
        obj.ToJson().ShouldBe(before);
    }
}
