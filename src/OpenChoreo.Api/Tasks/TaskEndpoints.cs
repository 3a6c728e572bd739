using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenChoreo.Api.Http;
using OpenChoreo.Model;

namespace OpenChoreo.Api.Tasks;

/// <summary>
/// Task-oriented routes for the CLI and console (DESIGN §3, §5), under <c>/api/v1/namespaces/{ns}</c>:
/// <c>POST components/{name}/deploy|promote|rollback|undeploy|suspend|resume</c>, <c>GET components/{name}/status</c>
/// and <c>POST promotions/{name}/approve|reject</c>. Bodies are small JSON objects; unknown fields are refused so a
/// typo does not silently fall back to a default.
/// </summary>
public static class TaskEndpoints
{
    public const string Prefix = "/api/v1/namespaces/{ns}";

    public static IEndpointRouteBuilder MapTaskApi(this IEndpointRouteBuilder app)
    {
        const string component = Prefix + "/components/{name}";
        app.MapPost(component + "/deploy", async (HttpContext c, string ns, string name) =>
        {
            var b = await ReadAsync(c, "env", "release");
            await WriteAsync(c, await Service(c).DeployAsync(ns, name, b.GetValueOrDefault("env"), b.GetValueOrDefault("release"), c.RequestAborted));
        });
        app.MapPost(component + "/promote", async (HttpContext c, string ns, string name) =>
        {
            var b = await ReadAsync(c, "from", "to");
            await WriteAsync(c, await Service(c).PromoteAsync(ns, name, b.GetValueOrDefault("from"), b.GetValueOrDefault("to"), User(c), c.RequestAborted));
        });
        app.MapPost(component + "/rollback", async (HttpContext c, string ns, string name) =>
        {
            var b = await ReadAsync(c, "env", "to");
            await WriteAsync(c, await Service(c).RollbackAsync(ns, name, b.GetValueOrDefault("env"), b.GetValueOrDefault("to"), c.RequestAborted));
        });
        foreach (var (verb, state) in new[] { ("undeploy", "Undeploy"), ("suspend", "Suspend"), ("resume", "Active") })
        {
            app.MapPost(component + "/" + verb, async (HttpContext c, string ns, string name) =>
            {
                var b = await ReadAsync(c, "env");
                await WriteAsync(c, await Service(c).SetStateAsync(ns, name, b.GetValueOrDefault("env"), state, c.RequestAborted));
            });
        }
        app.MapGet(component + "/status", async (HttpContext c, string ns, string name) =>
            await BodyCodec.WriteAsync(c, await Service(c).StatusAsync(ns, name, c.RequestAborted)));

        const string promotion = Prefix + "/promotions/{name}";
        app.MapPost(promotion + "/approve", async (HttpContext c, string ns, string name) =>
        {
            var b = await ReadAsync(c, "reason");
            await WriteAsync(c, await Service(c).ApproveAsync(ns, name, User(c), b.GetValueOrDefault("reason"), c.RequestAborted));
        });
        app.MapPost(promotion + "/reject", async (HttpContext c, string ns, string name) =>
        {
            var b = await ReadAsync(c, "reason");
            await WriteAsync(c, await Service(c).RejectAsync(ns, name, User(c), b.GetValueOrDefault("reason"), c.RequestAborted));
        });
        return app;
    }

    private static DeliveryService Service(HttpContext c) => c.RequestServices.GetRequiredService<DeliveryService>();

    /// <summary>The authenticated user (the token middleware has run: every route here requires a token).</summary>
    private static string User(HttpContext c) => c.User.Identity?.Name is { Length: > 0 } n ? n : throw ApiException.Unauthorized();

    private static Task WriteAsync(HttpContext c, TaskResult r) => BodyCodec.WriteAsync(c, r.ToJson(), r.HttpStatus);

    /// <summary>Reads an optional JSON object of string fields, refusing unknown fields and non-strings.</summary>
    private static async Task<Dictionary<string, string?>> ReadAsync(HttpContext c, params string[] allowed)
    {
        var limit = c.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBodyBytes;
        var text = await BodyCodec.ReadTextAsync(c, limit);
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return result;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject o) throw ApiException.BadRequest("the request body must be a JSON object");
        var causes = new List<StatusCause>();
        foreach (var (key, value) in o)
        {
            if (!allowed.Contains(key))
            {
                causes.Add(new StatusCause(key, CauseReasons.Unknown, $"unknown field \"{key}\" (allowed: {string.Join(", ", allowed)})"));
            }
            else if (value is null) result[key] = null;
            else if (value is JsonValue v && v.TryGetValue<string>(out var s)) result[key] = s.Length == 0 ? null : s;
            else causes.Add(new StatusCause(key, CauseReasons.TypeInvalid, $"\"{key}\" must be a string"));
        }
        if (causes.Count > 0) throw new ApiException(400, StatusReasons.BadRequest, string.Join("; ", causes.Select(x => x.Message)), causes);
        return result;
    }
}
