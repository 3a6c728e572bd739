using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Resources;

/// <summary>
/// A watch as Kubernetes streams it: one JSON object per line, <c>{"type":"ADDED|MODIFIED|DELETED|ERROR","object":…}</c>.
/// Without a resourceVersion (or "0") the current objects come first as ADDED; with one, history after it is replayed.
/// A resourceVersion older than the kept history ends the stream with an ERROR event carrying a 410 Status.
/// </summary>
internal static class WatchStream
{
    public static async Task RunAsync(HttpContext c, ResourceService service, ResourceKind kind, string? ns,
        LabelSelector selector, Func<ResourceObject, bool>? filter, string? resourceVersion, ApiOptions options)
    {
        long from = 0;
        if (!string.IsNullOrEmpty(resourceVersion) &&
            !long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out from))
        {
            throw ApiException.BadRequest($"resourceVersion \"{resourceVersion}\" is not a valid revision");
        }
        var listOptions = new ListOptions(kind.Kind, kind.Namespaced ? ns : null, selector) { Filter = filter };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted);
        cts.CancelAfter(options.MaxWatchDuration);
        var ct = cts.Token;

        c.Response.StatusCode = 200;
        c.Response.ContentType = "application/json";
        c.Response.Headers.CacheControl = "no-cache";
        await c.Response.StartAsync(ct);
        try
        {
            if (from == 0)
            {
                var list = await service.Store.ListAsync(listOptions, ct);
                foreach (var o in list.Items) await WriteEventAsync(c, "ADDED", o.Node, ct);
                from = list.ResourceVersion;
                await c.Response.Body.FlushAsync(ct);
            }
            await foreach (var e in service.Store.WatchAsync(listOptions, from, ct))
            {
                var type = e.Type switch
                {
                    WatchEventType.Added => "ADDED",
                    WatchEventType.Modified => "MODIFIED",
                    WatchEventType.Deleted => "DELETED",
                    _ => "BOOKMARK",
                };
                await WriteEventAsync(c, type, e.Object.Node, ct);
                await c.Response.Body.FlushAsync(ct);
            }
        }
        catch (ApiException e)
        {
            await WriteEventAsync(c, "ERROR", e.ToStatus(), CancellationToken.None);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Client gone or the watch reached its maximum duration: the client re-watches from its last revision.
        }
    }

    private static async Task WriteEventAsync(HttpContext c, string type, JsonNode obj, CancellationToken ct)
    {
        // Straight into the response's buffer: no copy of the object, no intermediate string (100 watchers each
        // write every event).
        var output = c.Response.BodyWriter;
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }
        output.Write("\n"u8);
        await output.FlushAsync(ct);
    }
}
