using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>The production HTTP-01 endpoint hosted by Kestrel on a loopback port (port 80's stand-in).</summary>
public sealed class Http01Responder : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Http01Responder(WebApplication app, int port, Http01ChallengeStore store)
    {
        _app = app;
        Port = port;
        Store = store;
    }

    public int Port { get; }
    public Http01ChallengeStore Store { get; }
    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    public static async Task<Http01Responder> StartAsync(Http01ChallengeStore? store = null)
    {
        store ??= new Http01ChallengeStore();
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapAcmeHttp01Challenges(store);
        await app.StartAsync();
        return new Http01Responder(app, port, store);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
