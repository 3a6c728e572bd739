using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>
/// Test double of the Cloudflare v4 DNS API on loopback (plain HTTP): zone lookup by name, TXT create and delete,
/// bearer-token check and Cloudflare's error envelope. Holds records in memory.
/// </summary>
public sealed class FakeCloudflareApi : IAsyncDisposable
{
    public const string Token = "cf-test-token";
    private readonly WebApplication _app;

    private FakeCloudflareApi(WebApplication app, int port)
    {
        _app = app;
        ApiBase = new Uri($"http://127.0.0.1:{port}/client/v4/");
    }

    public Uri ApiBase { get; }

    /// <summary>Zone name → zone id.</summary>
    public Dictionary<string, string> Zones { get; } = new() { ["example.test"] = "zone-1" };

    /// <summary>Record id → (zone id, name, content).</summary>
    public ConcurrentDictionary<string, (string Zone, string Name, string Content)> Records { get; } = new();

    public ConcurrentQueue<string> ZoneQueries { get; } = new();

    public static async Task<FakeCloudflareApi> StartAsync()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var api = new FakeCloudflareApi(app, port);
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Headers.Authorization != "Bearer " + Token)
            {
                await Error(ctx, 403, 10000, "Authentication error");
                return;
            }
            await next(ctx);
        });
        app.MapGet("/client/v4/zones", (HttpContext ctx) =>
        {
            var name = ctx.Request.Query["name"].ToString();
            api.ZoneQueries.Enqueue(name);
            var result = new JsonArray();
            if (api.Zones.TryGetValue(name, out var id)) result.Add(new JsonObject { ["id"] = id, ["name"] = name });
            return Results.Text(Envelope(result).ToJsonString(), "application/json");
        });
        app.MapPost("/client/v4/zones/{zone}/dns_records", async (HttpContext ctx, string zone) =>
        {
            var body = await JsonNode.ParseAsync(ctx.Request.Body);
            if (!api.Zones.ContainsValue(zone)) { await Error(ctx, 404, 7003, "Could not route to zone"); return; }
            if ((string?)body?["type"] != "TXT" || body["content"] is null) { await Error(ctx, 400, 9005, "Content for TXT record is invalid"); return; }
            var id = "rec-" + Guid.NewGuid().ToString("N")[..8];
            api.Records[id] = (zone, (string)body["name"]!, (string)body["content"]!);
            await ctx.Response.WriteAsync(Envelope(new JsonObject { ["id"] = id, ["type"] = "TXT" }).ToJsonString());
        });
        app.MapDelete("/client/v4/zones/{zone}/dns_records/{id}", async (HttpContext ctx, string zone, string id) =>
        {
            if (!api.Records.TryRemove(id, out _)) { await Error(ctx, 404, 81044, "Record does not exist."); return; }
            await ctx.Response.WriteAsync(Envelope(new JsonObject { ["id"] = id }).ToJsonString());
        });
        await app.StartAsync();
        return api;
    }

    private static JsonObject Envelope(JsonNode result) => new() { ["success"] = true, ["errors"] = new JsonArray(), ["result"] = result };

    private static Task Error(HttpContext ctx, int status, int code, string message)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsync(new JsonObject
        {
            ["success"] = false,
            ["errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }),
            ["result"] = null,
        }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
