using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OpenChoreo.Model;

namespace OpenChoreo.Api.Http;

/// <summary>Reads JSON or YAML request bodies within the size limit and writes JSON or YAML responses.</summary>
public static class BodyCodec
{
    public const string Json = "application/json";
    public const string Yaml = "application/yaml";

    /// <summary>Reads the body as one object. Malformed input is a 400 naming the position; too large is a 413.</summary>
    public static async Task<ResourceObject> ReadObjectAsync(HttpContext ctx, long limit)
    {
        var text = await ReadTextAsync(ctx, limit);
        JsonNode? node;
        try
        {
            node = IsYaml(ctx.Request.ContentType) ? YamlCodec.ReadOne(text) : JsonNode.Parse(text,
                documentOptions: new JsonDocumentOptions { MaxDepth = YamlCodec.MaxDepth });
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw ApiException.BadRequest($"the request body is not valid {(IsYaml(ctx.Request.ContentType) ? "YAML" : "JSON")}: {e.Message}");
        }
        return node as JsonObject is { } o
            ? new ResourceObject(o)
            : throw ApiException.BadRequest("the request body must be an object");
    }

    public static async Task<string> ReadTextAsync(HttpContext ctx, long limit)
    {
        if (ctx.Request.ContentLength > limit) throw ApiException.TooLarge(limit);
        var feature = ctx.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted)) > 0)
            {
                if (buffer.Length + n > limit) throw ApiException.TooLarge(limit);
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw ApiException.TooLarge(limit);
        }
        try
        {
            return new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw ApiException.BadRequest("the request body is not valid UTF-8");
        }
    }

    public static bool IsYaml(string? contentType) =>
        contentType is not null && (contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase));

    public static bool WantsYaml(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("yaml", StringComparison.OrdinalIgnoreCase));

    public static Task WriteAsync(HttpContext ctx, JsonNode node, int status = 200)
    {
        ctx.Response.StatusCode = status;
        if (WantsYaml(ctx.Request))
        {
            ctx.Response.ContentType = Yaml;
            return ctx.Response.WriteAsync(YamlCodec.Write(node), ctx.RequestAborted);
        }
        ctx.Response.ContentType = Json;
        return ctx.Response.WriteAsync(node.ToJsonString(), ctx.RequestAborted);
    }

    /// <summary>Writes JSON text that is already a complete document (an object as the store keeps it).</summary>
    public static Task WriteJsonTextAsync(HttpContext ctx, string json, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = Json;
        return ctx.Response.WriteAsync(json, ctx.RequestAborted);
    }

    /// <summary>
    /// Writes a Kubernetes-style list whose items are JSON text, streaming into the response instead of building one
    /// DOM and one string for the whole list.
    /// </summary>
    public static async Task WriteJsonListAsync(HttpContext ctx, string apiVersion, string listKind, long resourceVersion,
        IReadOnlyList<string> items)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = Json;
        var output = ctx.Response.BodyWriter;
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteString("apiVersion", apiVersion);
        writer.WriteString("kind", listKind);
        writer.WriteStartObject("metadata");
        writer.WriteString("resourceVersion", resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteEndObject();
        writer.WriteStartArray("items");
        foreach (var item in items)
        {
            // The store's own serialization of a parsed object: valid JSON, no need to validate it again.
            writer.WriteRawValue(item, skipInputValidation: true);
            if (writer.BytesPending > 32 * 1024)
            {
                writer.Flush();
                await output.FlushAsync(ctx.RequestAborted);
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        await output.FlushAsync(ctx.RequestAborted);
    }

    public static Task WriteErrorAsync(HttpContext ctx, ApiException e)
    {
        ctx.Response.StatusCode = e.Code;
        ctx.Response.ContentType = Json;
        if (e.Code == 401) ctx.Response.Headers.WWWAuthenticate = "Bearer realm=\"openchoreo\"";
        return ctx.Response.WriteAsync(e.ToStatus().ToJsonString(), ctx.RequestAborted);
    }
}
