using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

/// <summary>The x-kubernetes-validations rules of the embedded CRDs, evaluated with CEL.</summary>
public class RuleTests
{
    private static IReadOnlyList<StatusCause> Update(ResourceObject obj, ResourceObject old) => ObjectValidator.Shared.ValidateUpdate(obj, old);

    [Fact]
    public void Component_componentType_is_immutable()
    {
        var old = Objects.Component();
        var changed = Objects.WithSpec(old, s => s["componentType"] = "deployment/web-app");
        Update(changed, old).ShouldBe([new StatusCause("spec.componentType", CauseReasons.Invalid,
            "Invalid value: \"string\": spec.componentType cannot be changed after creation")]);
        Update(old.DeepClone(), old).ShouldBeEmpty();
    }

    [Fact]
    public void Transition_rules_do_not_run_on_create()
    {
        // self == oldSelf would fail with no oldSelf bound; on create it must simply not be evaluated.
        ObjectValidator.Shared.ValidateCreate(Objects.Component()).ShouldBeEmpty();
    }

    [Fact]
    public void Transition_rules_do_not_run_when_the_old_value_is_absent()
    {
        var old = Objects.Component("""
            owner:
              projectName: default
            type: legacy
            """);
        var added = Objects.WithSpec(old, s => s["componentType"] = "deployment/service");
        Update(added, old).ShouldBeEmpty();
    }

    [Fact]
    public void Component_owner_is_immutable()
    {
        var old = Objects.Component();
        var changed = Objects.WithSpec(old, s => s["owner"]!["projectName"] = "other");
        Update(changed, old).ShouldBe([new StatusCause("spec.owner", CauseReasons.Invalid,
            "Invalid value: \"object\": spec.owner is immutable")]);
    }

    [Fact]
    public void Component_needs_type_or_componentType()
    {
        var obj = Objects.Component("""
            owner:
              projectName: default
            """);
        ObjectValidator.Shared.ValidateCreate(obj).ShouldBe([new StatusCause("spec", CauseReasons.Invalid,
            "Invalid value: \"object\": Component must have either spec.type or spec.componentType set")]);
    }

    [Fact]
    public void Environment_dataPlaneRef_is_immutable_once_set()
    {
        var old = Objects.Environment("dataPlaneRef: default");
        var changed = Objects.WithSpec(old, s => s["dataPlaneRef"] = "other");
        Update(changed, old).ShouldBe([new StatusCause("spec", CauseReasons.Invalid,
            "Invalid value: \"object\": dataPlaneRef is immutable once set")]);
    }

    [Fact]
    public void Environment_dataPlaneRef_may_be_set_when_empty_or_absent()
    {
        var empty = Objects.Environment("dataPlaneRef: \"\"");
        Update(Objects.WithSpec(empty, s => s["dataPlaneRef"] = "default"), empty).ShouldBeEmpty();

        var absent = Objects.Environment("isProduction: false");
        Update(Objects.WithSpec(absent, s => s["dataPlaneRef"] = "default"), absent).ShouldBeEmpty();
    }

    [Fact]
    public void Environment_dataPlaneRef_removal_is_an_evaluation_error_as_in_kubernetes()
    {
        var old = Objects.Environment("""
            dataPlaneRef: default
            isProduction: false
            """);
        var removed = Objects.WithSpec(old, s => s.Remove("dataPlaneRef"));
        var cause = Update(removed, old).ShouldHaveSingleItem();
        cause.Field.ShouldBe("spec");
        cause.Reason.ShouldBe(CauseReasons.Invalid);
        cause.Message.ShouldStartWith("Invalid value: \"object\": rule evaluation error: ");
        cause.Message.ShouldContain("no such key: dataPlaneRef");
    }

    [Fact]
    public void ReleaseBinding_environment_is_immutable()
    {
        var old = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ReleaseBinding
            metadata: {name: greeter-development, namespace: default}
            spec:
              owner: {projectName: default, componentName: greeter}
              environment: development
            """);
        var changed = Objects.WithSpec(old, s => s["environment"] = "production");
        Update(changed, old).ShouldBe([new StatusCause("spec.environment", CauseReasons.Invalid,
            "Invalid value: \"string\": spec.environment is immutable")]);
    }

    private static ResourceObject Release() => Objects.Yaml("""
        apiVersion: openchoreo.dev/v1alpha1
        kind: ComponentRelease
        metadata: {name: greeter-1a2b3c, namespace: default}
        spec:
          owner: {projectName: default, componentName: greeter}
          componentProfile:
            parameters: {replicas: 1}
          componentType:
            workloadType: deployment
            resources:
            - id: deployment
              template: {apiVersion: apps/v1, kind: Deployment}
          traits: {}
          workload:
            containers:
              main: {image: nginx}
        """);

    [Fact]
    public void ComponentRelease_is_valid_and_an_identical_update_passes()
    {
        ObjectValidator.Shared.ValidateCreate(Release()).ShouldBeEmpty();
        Update(Release(), Release()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("componentProfile", """{"parameters":{"replicas":2}}""")]
    [InlineData("owner", """{"projectName":"other","componentName":"greeter"}""")]
    [InlineData("workload", """{"containers":{"main":{"image":"nginx:2"}}}""")]
    [InlineData("traits", """{"storage":{}}""")]
    public void ComponentRelease_spec_fields_are_immutable(string field, string newValue)
    {
        var old = Release();
        var changed = Objects.WithSpec(old, s => s[field] = JsonNode.Parse(newValue));
        Update(changed, old).ShouldBe([
            new StatusCause($"spec.{field}", CauseReasons.Invalid, $"Invalid value: \"object\": spec.{field} is immutable"),
        ]);
    }

    [Fact]
    public void ComponentRelease_componentType_and_its_workloadType_are_immutable()
    {
        var old = Release();
        var changed = Objects.WithSpec(old, s =>
        {
            s["componentType"]!["workloadType"] = "statefulset";
            s["componentType"]!["resources"]![0]!["id"] = "statefulset";
        });
        Update(changed, old).ShouldBe([
            new StatusCause("spec.componentType", CauseReasons.Invalid, "Invalid value: \"object\": spec.componentType is immutable"),
            new StatusCause("spec.componentType.workloadType", CauseReasons.Invalid, "Invalid value: \"string\": spec.workloadType cannot be changed after creation"),
        ]);
    }

    [Fact]
    public void ComponentType_needs_a_resource_matching_its_workloadType()
    {
        var ct = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ComponentType
            metadata: {name: service, namespace: default}
            spec:
              workloadType: deployment
              resources:
              - id: service
                template: {apiVersion: v1, kind: Service}
            """);
        ObjectValidator.Shared.ValidateCreate(ct).ShouldBe([new StatusCause("spec", CauseReasons.Invalid,
            "Invalid value: \"object\": resources must contain a primary resource with id matching workloadType")]);
    }

    [Fact]
    public void ForEach_requires_var()
    {
        var ct = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: ComponentType
            metadata: {name: service, namespace: default}
            spec:
              workloadType: deployment
              resources:
              - id: deployment
                template: {apiVersion: apps/v1, kind: Deployment}
              - id: config
                forEach: ${parameters.configs}
                template: {apiVersion: v1, kind: ConfigMap}
            """);
        ObjectValidator.Shared.ValidateCreate(ct).ShouldBe([new StatusCause("spec.resources[1]", CauseReasons.Invalid,
            "Invalid value: \"object\": var is required when forEach is specified")]);
    }

    [Fact]
    public void Workload_file_needs_exactly_one_of_value_and_valueFrom()
    {
        var wl = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Workload
            metadata: {name: w, namespace: default}
            spec:
              owner: {projectName: p, componentName: c}
              containers:
                main:
                  image: nginx
                  files:
                  - key: a.conf
                    mountPath: /etc/a
            """);
        ObjectValidator.Shared.ValidateCreate(wl).ShouldBe([new StatusCause("spec.containers[main].files[0]", CauseReasons.Invalid,
            "Invalid value: \"object\": exactly one of value or valueFrom must be set")]);
    }

    [Fact]
    public void Rules_are_skipped_only_where_the_value_is_unchanged()
    {
        // Ratcheting: an unchanged stored value that a rule refuses passes; once that node changes, the rule applies.
        var old = Objects.Component("""
            owner:
              projectName: default
            """);
        var changed = Objects.WithSpec(old, s => s["autoDeploy"] = true);
        Update(changed, old).ShouldBe([new StatusCause("spec", CauseReasons.Invalid,
            "Invalid value: \"object\": Component must have either spec.type or spec.componentType set")]);
        Update(old.DeepClone(), old).ShouldBeEmpty();
    }

    [Fact]
    public void Every_embedded_rule_compiles()
    {
        foreach (var kind in KindRegistry.Default.All)
        {
            foreach (var rule in AllRules(kind.Schema))
            {
                Should.NotThrow(() => Rules.CelRuleEngine.Shared.Compile(rule), $"{kind.Kind}: {rule}");
            }
        }
        // 22 rules in the upstream CRDs; our kind extensions (docs/extensions.md) add their own.
        KindRegistry.Default.All.Where(k => k.Kind != "Promotion").Sum(k => AllRules(k.Schema).Count()).ShouldBe(22);
        AllRules(KindRegistry.Default.FindByKind("Promotion")!.Schema).Count().ShouldBe(1); // spec is immutable
    }

    [Theory]
    [InlineData("self == oldSelf", true)]
    [InlineData("!has(oldSelf.dataPlaneRef) || size(oldSelf.dataPlaneRef) == 0", true)]
    [InlineData("has(self.type) || has(self.componentType)", false)]
    [InlineData("self.oldSelf == 1", false)]
    [InlineData("self.name == 'oldSelf'", false)]
    [InlineData("self.name == \"it's oldSelf\"", false)]
    [InlineData("oldSelfish == 1", false)]
    public void Transition_rules_are_recognised(string rule, bool transition) =>
        Rules.CelRuleEngine.Shared.Compile(rule).ReferencesOldSelf.ShouldBe(transition);

    private static IEnumerable<string> AllRules(JsonNode? schema)
    {
        if (schema is JsonObject o)
        {
            if (o["x-kubernetes-validations"] is JsonArray rules)
            {
                foreach (var r in rules) yield return (string)r!["rule"]!;
            }
            foreach (var (_, v) in o)
            {
                foreach (var r in AllRules(v)) yield return r;
            }
        }
        else if (schema is JsonArray a)
        {
            foreach (var v in a)
            {
                foreach (var r in AllRules(v)) yield return r;
            }
        }
    }
}
