using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using static OpenChoreo.Ingress.Tests.Harness;

namespace OpenChoreo.Ingress.Tests;

/// <summary>Long-lived connections across route reloads, WebSockets, and the access log.</summary>
public sealed class ConnectionTests
{
    private const string WebHost = "chat-development." + Apps;

    [Fact]
    public async Task A_websocket_over_tls_survives_a_route_reload()
    {
        await using var h = await StartAsync();
        await using var a = await HttpBackend.StartAsync("a");
        await using var other = await HttpBackend.StartAsync("other");
        await h.SetRoutesAsync(Route("chat", [WebHost], Rule([], a)));
        var ct = TestContext.Current.CancellationToken;
        using var invoker = new HttpMessageInvoker(h.Handler());
        using var ws = new ClientWebSocket();

        await ws.ConnectAsync(new Uri($"wss://{WebHost}/ws"), invoker, ct);
        (await RoundTripAsync(ws, "one", ct)).ShouldBe("a:one");

        // Another app's route appears: the open socket is untouched, new requests see the new routes.
        await h.SetRoutesAsync(Route("chat", [WebHost], Rule([], a)), Route("other", ["other-development." + Apps], Rule([], other)));
        (await RoundTripAsync(ws, "two", ct)).ShouldBe("a:two");
        using var client = h.Client();
        (await client.GetEchoAsync($"https://other-development.{Apps}/")).Echo["backend"].ShouldBe("other");

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        ws.State.ShouldBe(WebSocketState.Closed);
    }

    [Fact]
    public async Task Each_request_gets_one_access_log_line_with_component_and_environment_and_no_path()
    {
        var logs = new ListLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var h = await StartAsync(o => o.AccessLog = true, loggers);
        await using var a = await HttpBackend.StartAsync("a");
        await h.SetRoutesAsync(Route("chat", [WebHost], Rule([], a)));
        using var client = h.Client();

        (await client.GetEchoAsync($"http://{WebHost}/secret-path?token=abc")).Status.ShouldBe(HttpStatusCode.OK);
        (await client.GetEchoAsync($"http://nobody.{Apps}/")).Status.ShouldBe(HttpStatusCode.NotFound);

        var lines = logs.Messages.Where(m => m.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        lines.Count.ShouldBe(2);
        lines[0].ShouldMatch($@"^GET {WebHost.Replace(".", @"\.")} 200 \d+\.\dms component=chat environment=development route=dp-default-demo-development-00000000/chat$");
        lines[1].ShouldMatch($@"^GET nobody\.{Apps.Replace(".", @"\.")} 404 \d+\.\dms component=- environment=- route=-$");
        logs.Messages.ShouldNotContain(m => m.Contains("secret-path") || m.Contains("token=abc"));
    }

    private static async Task<string> RoundTripAsync(ClientWebSocket ws, string text, CancellationToken ct)
    {
        await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[4096];
        var r = await ws.ReceiveAsync(buffer, ct);
        return Encoding.UTF8.GetString(buffer, 0, r.Count);
    }
}
