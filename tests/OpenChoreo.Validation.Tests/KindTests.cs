using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

public class KindTests
{
    [Fact]
    public void Known_kind_resolves()
    {
        var check = ObjectValidator.Shared.CheckKind(Objects.Component());
        check.Problem.ShouldBe(KindProblem.None);
        check.Kind!.Kind.ShouldBe("Component");
        check.Cause.ShouldBeNull();
    }

    [Fact]
    public void Unknown_kind_in_the_served_version_is_reported_on_kind()
    {
        var obj = Objects.Component();
        obj.Kind = "Deployment";
        var check = ObjectValidator.Shared.CheckKind(obj);
        check.Problem.ShouldBe(KindProblem.UnknownKind);
        check.Cause.ShouldBe(new StatusCause("kind", CauseReasons.NotSupported,
            "Unsupported value: \"Deployment\": no kind \"Deployment\" is served in version \"openchoreo.dev/v1alpha1\""));
        ObjectValidator.Shared.ValidateCreate(obj).ShouldBe([check.Cause!]);
    }

    [Fact]
    public void Unknown_api_version_is_reported_on_apiVersion()
    {
        var obj = Objects.Component();
        obj.ApiVersion = "apps/v1";
        var check = ObjectValidator.Shared.CheckKind(obj);
        check.Problem.ShouldBe(KindProblem.UnknownApiVersion);
        check.Cause.ShouldBe(new StatusCause("apiVersion", CauseReasons.NotSupported,
            "Unsupported value: \"apps/v1\": supported values: \"openchoreo.dev/v1alpha1\""));
    }

    [Fact]
    public void Missing_kind_and_api_version_are_required()
    {
        var obj = Objects.Component();
        obj.Node.Remove("kind");
        ObjectValidator.Shared.CheckKind(obj).ShouldBe(new KindCheck(null, KindProblem.Missing,
            new StatusCause("kind", CauseReasons.Required, "Required value")));
        obj.Node.Remove("apiVersion");
        ObjectValidator.Shared.CheckKind(obj).Cause.ShouldBe(new StatusCause("apiVersion", CauseReasons.Required, "Required value"));
    }

    [Fact]
    public void Kind_of_the_wrong_type_is_a_type_error()
    {
        var obj = Objects.Component();
        obj.Node["kind"] = 5;
        ObjectValidator.Shared.CheckKind(obj).Cause.ShouldBe(new StatusCause("kind", CauseReasons.TypeInvalid, "Invalid value: \"integer\": must be of type string"));
    }

    [Fact]
    public void Kind_cannot_change_on_update()
    {
        var old = Objects.Component();
        var project = Objects.Yaml("""
            apiVersion: openchoreo.dev/v1alpha1
            kind: Project
            metadata: {name: greeter, namespace: default}
            spec: {}
            """);
        var cause = ObjectValidator.Shared.ValidateUpdate(project, old).ShouldHaveSingleItem();
        cause.Field.ShouldBe("kind");
        cause.Reason.ShouldBe(CauseReasons.Invalid);
    }
}
