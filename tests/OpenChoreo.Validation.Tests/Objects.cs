using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

/// <summary>Builds test objects from YAML.</summary>
internal static class Objects
{
    public static ResourceObject Yaml(string yaml) => new((JsonObject)YamlCodec.ReadOne(yaml)!);

    public static ResourceObject Component(string spec = """
        owner:
          projectName: default
        componentType: deployment/service
        """) => Yaml($"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Component
        metadata:
          name: greeter
          namespace: default
        spec:
        {Indent(spec)}
        """);

    public static ResourceObject Environment(string spec) => Yaml($"""
        apiVersion: openchoreo.dev/v1alpha1
        kind: Environment
        metadata:
          name: development
          namespace: default
        spec:
        {Indent(spec)}
        """);

    public static ResourceObject WithSpec(ResourceObject obj, Action<JsonObject> edit)
    {
        var copy = obj.DeepClone();
        edit((JsonObject)copy.Node["spec"]!);
        return copy;
    }

    public const string RulesNotCheckedNote =
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    /// <summary>Drops the note Kubernetes adds when schema errors keep CEL rules from running.</summary>
    public static IReadOnlyList<StatusCause> WithoutRulesNote(IReadOnlyList<StatusCause> causes) =>
        causes.Where(c => c.Message != RulesNotCheckedNote).ToArray();

    private static string Indent(string s) => string.Join("\n", s.Split('\n').Select(l => "  " + l));
}
