using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OpenChoreo.Ingress.Tests;

/// <summary>A real Kestrel backend on 127.0.0.1 that answers with what it received (its name, method, path, query and
/// the headers a proxy sets); <c>/slow</c> waits before answering. Counts requests.</summary>
internal sealed class HttpBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private HttpBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }
    public IPEndPoint EndPoint { get; private set; } = null!;
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<HttpBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRouting();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var backend = new HttpBackend(app, name);
        app.UseWebSockets();
        app.Run(async ctx =>
        {
            Interlocked.Increment(ref backend._requests);
            if (ctx.WebSockets.IsWebSocketRequest)
            {
                // Echoes each message prefixed with the backend's name.
                using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[4096];
                while (true)
                {
                    var r = await ws.ReceiveAsync(buffer, ctx.RequestAborted);
                    if (r.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                    {
                        await ws.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, ctx.RequestAborted);
                        return;
                    }
                    await ws.SendAsync(Encoding.UTF8.GetBytes(name + ":" + Encoding.UTF8.GetString(buffer, 0, r.Count)), System.Net.WebSockets.WebSocketMessageType.Text, true, ctx.RequestAborted);
                }
            }
            if (ctx.Request.Path.StartsWithSegments("/slow"))
                await Task.Delay(TimeSpan.FromSeconds(5), ctx.RequestAborted);
            var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
            var text = new StringBuilder()
                .Append("backend=").Append(name).Append('\n')
                .Append("method=").Append(ctx.Request.Method).Append('\n')
                .Append("path=").Append(ctx.Request.Path.Value).Append('\n')
                .Append("query=").Append(ctx.Request.QueryString.Value).Append('\n')
                .Append("host=").Append(ctx.Request.Headers.Host.ToString()).Append('\n')
                .Append("x-forwarded-for=").Append(ctx.Request.Headers["X-Forwarded-For"].ToString()).Append('\n')
                .Append("x-forwarded-proto=").Append(ctx.Request.Headers["X-Forwarded-Proto"].ToString()).Append('\n')
                .Append("x-forwarded-host=").Append(ctx.Request.Headers["X-Forwarded-Host"].ToString()).Append('\n')
                .Append("body-bytes=").Append(body.Length).Append('\n');
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync(text.ToString(), ctx.RequestAborted);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        backend.EndPoint = new IPEndPoint(IPAddress.Loopback, address.Port);
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>What an <see cref="HttpBackend"/> answered, parsed.</summary>
internal sealed record Echo(IReadOnlyDictionary<string, string> Fields)
{
    public string this[string key] => Fields.GetValueOrDefault(key) ?? "";

    public static Echo Parse(string body) =>
        new(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]));
}
