using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Tests;

/// <summary>
/// A made-up kind whose spec schema a test supplies, to exercise schema features the OpenChoreo CRDs do not use
/// (int-or-string, embedded resources, list types, bounds, combinators...).
/// </summary>
internal static class Widgets
{
    public static ObjectValidator Validator(string specSchemaJson, ValidationOptions? options = null)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string" },
                ["kind"] = new JsonObject { ["type"] = "string" },
                ["metadata"] = new JsonObject { ["type"] = "object" },
                ["spec"] = JsonNode.Parse(specSchemaJson),
            },
        };
        var kind = new ResourceKind("test.openchoreo.dev", "v1", "Widget", "WidgetList", "widgets", "widget", [],
            Namespaced: true, StatusSubresource: false, PrinterColumns: [], schema);
        return new ObjectValidator(new KindRegistry([kind]), options: options);
    }

    public static ResourceObject Widget(string specJson) => new(new JsonObject
    {
        ["apiVersion"] = "test.openchoreo.dev/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = "w", ["namespace"] = "default" },
        ["spec"] = JsonNode.Parse(specJson),
    });

    public static IReadOnlyList<StatusCause> Create(string schema, string spec, ValidationOptions? options = null) =>
        Validator(schema, options).ValidateCreate(Widget(spec));
}
