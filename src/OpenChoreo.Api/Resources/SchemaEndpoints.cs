using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenChoreo.Api.Http;
using OpenChoreo.Rendering.Schema;

namespace OpenChoreo.Api.Resources;

/// <summary>
/// The JSON Schema of a ComponentType's, Trait's or ComponentWorkflow's shorthand <c>spec.schema</c>, for the CLI and
/// the console: <c>…/namespaces/{ns}/{componenttypes|traits|componentworkflows}/{name}/schema</c>.
/// </summary>
public static class SchemaEndpoints
{
    private static readonly string[] Plurals = ["componenttypes", "traits", "componentworkflows", "workflows"];

    public static IEndpointRouteBuilder MapSchemaApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ResourceEndpoints.Prefix + "/namespaces/{ns}/{plural}/{name}/schema", async (HttpContext c, string ns, string plural, string name) =>
        {
            if (!Plurals.Contains(plural))
            {
                throw new OpenChoreo.Model.ApiException(404, OpenChoreo.Model.StatusReasons.NotFound, $"{plural} have no schema subresource");
            }
            var service = c.RequestServices.GetService(typeof(ResourceService)) as ResourceService ?? throw new InvalidOperationException();
            var kind = service.Kinds.FindByPlural(plural)!;
            var obj = await service.GetAsync(kind, ns, name, c.RequestAborted);
            await BodyCodec.WriteAsync(c, ComponentSchemas.ToJsonSchema(obj.Spec as JsonObject));
        });
        return app;
    }
}
