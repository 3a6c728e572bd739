using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

public class MetadataTests
{
    private static IReadOnlyList<StatusCause> Create(ResourceObject obj) => Objects.WithoutRulesNote(ObjectValidator.Shared.ValidateCreate(obj));

    private const string Subdomain =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    [Fact]
    public void Missing_name_is_required()
    {
        var obj = Objects.Component();
        obj.Metadata.Remove("name");
        Create(obj).ShouldBe([new StatusCause("metadata.name", CauseReasons.Required, "Required value: name or generateName is required")]);
    }

    [Fact]
    public void Upper_case_name_is_invalid()
    {
        var obj = Objects.Component();
        obj.Name = "Greeter";
        Create(obj).ShouldBe([new StatusCause("metadata.name", CauseReasons.Invalid, $"Invalid value: \"Greeter\": {Subdomain}")]);
    }

    [Fact]
    public void Too_long_name_is_invalid()
    {
        var obj = Objects.Component();
        obj.Name = new string('a', 254);
        Create(obj).ShouldBe([new StatusCause("metadata.name", CauseReasons.Invalid, $"Invalid value: \"{obj.Name}\": must be no more than 253 characters")]);
    }

    [Fact]
    public void Namespace_is_required_for_namespaced_kinds()
    {
        var obj = Objects.Component();
        obj.Namespace = "";
        Create(obj).ShouldBe([new StatusCause("metadata.namespace", CauseReasons.Required, "Required value")]);
    }

    [Fact]
    public void Namespace_must_be_a_dns_label()
    {
        var obj = Objects.Component();
        obj.Namespace = "my.org";
        var cause = Create(obj).ShouldHaveSingleItem();
        cause.Field.ShouldBe("metadata.namespace");
        cause.Reason.ShouldBe(CauseReasons.Invalid);
        cause.Message.ShouldStartWith("Invalid value: \"my.org\": a lowercase RFC 1123 label must consist of");
    }

    [Theory]
    [InlineData("my.org", "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "must be no more than 63 characters")]
    public void Organization_name_must_be_a_dns_label_because_it_names_a_namespace(string name, string why)
    {
        var org = Objects.Yaml($$"""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Organization
            metadata:
              name: {{name}}
            """);
        Create(org).ShouldBe([new StatusCause("metadata.name", CauseReasons.Invalid, $"Invalid value: \"{name}\": {why}")]);
        // Other kinds take any DNS-1123 subdomain, as Kubernetes custom resources do.
        var project = Objects.Yaml($$"""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata:
              name: {{name}}
              namespace: default
            spec: {deploymentPipelineRef: default}
            """);
        Create(project).ShouldBeEmpty();
    }

    [Fact]
    public void Namespace_on_an_organization_is_forbidden()
    {
        var org = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Organization
            metadata: {name: acme, namespace: default}
            """);
        Create(org).ShouldBe([new StatusCause("metadata.namespace", CauseReasons.Forbidden, "Forbidden: not allowed on this type")]);
        org.Namespace = "";
        Create(org).ShouldBeEmpty();
    }

    [Fact]
    public void Unknown_metadata_field_is_refused()
    {
        var obj = Objects.Component();
        obj.Metadata["owner"] = "me";
        Create(obj).ShouldBe([new StatusCause("metadata.owner", CauseReasons.Unknown, "unknown field \"metadata.owner\"")]);
    }

    [Fact]
    public void Bad_label_key_and_value_are_invalid()
    {
        var obj = Objects.Component();
        obj.SetLabel("bad key", "ok");
        obj.SetLabel("team", "-bad");
        var causes = Create(obj);
        causes.Count.ShouldBe(2);
        causes[0].ShouldBe(new StatusCause("metadata.labels", CauseReasons.Invalid,
            "Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
        causes[1].Field.ShouldBe("metadata.labels[team]");
        causes[1].Message.ShouldStartWith("Invalid value: \"-bad\": a valid label must be an empty string or consist of");
    }

    [Fact]
    public void Prefixed_label_keys_and_empty_values_are_valid()
    {
        var obj = Objects.Component();
        obj.SetLabel("openchoreo.dev/name", "");
        obj.SetAnnotation("openchoreo.dev/Display-Name", "Greeter Service");
        Create(obj).ShouldBeEmpty();
    }

    [Fact]
    public void Bad_annotation_key_is_invalid()
    {
        var obj = Objects.Component();
        obj.SetAnnotation("Not/Valid/Key", "x");
        var cause = Create(obj).ShouldHaveSingleItem();
        cause.Field.ShouldBe("metadata.annotations");
        cause.Reason.ShouldBe(CauseReasons.Invalid);
    }

    [Fact]
    public void Annotations_larger_than_256_KiB_are_too_long()
    {
        var obj = Objects.Component();
        obj.SetAnnotation("a", new string('x', 128 * 1024));
        obj.SetAnnotation("b", new string('x', 128 * 1024));
        Create(obj).ShouldBe([new StatusCause("metadata.annotations", CauseReasons.TooLong, "Too long: must have at most 262144 bytes")]);
    }

    [Fact]
    public void Label_values_must_be_strings()
    {
        var obj = Objects.Component();
        obj.Metadata["labels"] = new System.Text.Json.Nodes.JsonObject { ["tier"] = 1 };
        Create(obj).ShouldBe([new StatusCause("metadata.labels[tier]", CauseReasons.TypeInvalid, "Invalid value: \"integer\": must be of type string")]);
    }

    [Fact]
    public void Owner_references_need_their_identifying_fields()
    {
        var obj = Objects.Component();
        obj.Metadata["ownerReferences"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"apiVersion":"openchoreo.dev/v1alpha1","kind":"Project","name":"p"}]""");
        Create(obj).ShouldBe([new StatusCause("metadata.ownerReferences[0].uid", CauseReasons.Required, "Required value")]);
    }

    [Fact]
    public void Name_and_namespace_cannot_change_on_update()
    {
        var old = Objects.Component();
        var renamed = old.DeepClone();
        renamed.Name = "other";
        Objects.WithoutRulesNote(ObjectValidator.Shared.ValidateUpdate(renamed, old))
            .ShouldBe([new StatusCause("metadata.name", CauseReasons.Invalid, "Invalid value: \"other\": field is immutable")]);
    }

    [Fact]
    public void Metadata_of_the_wrong_type_is_refused()
    {
        var obj = Objects.Component();
        obj.Node["metadata"] = "x";
        Create(obj).ShouldBe([new StatusCause("metadata", CauseReasons.TypeInvalid, "Invalid value: \"string\": must be of type object")]);
    }
}
