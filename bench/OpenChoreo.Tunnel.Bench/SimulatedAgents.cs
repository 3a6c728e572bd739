using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using OpenChoreo.Pki;
using OpenChoreo.Tunnel;
using OpenChoreo.Tunnel.Operations;

/// <summary>
/// Simulated agents: real mTLS WebSocket connections with the real handshake and connection code, serving ping and a
/// byte stream. Run in child processes (<c>--agents-process</c>), so the gateway's memory is measured on its own.
/// </summary>
static class SimulatedAgents
{
    public const string ReadyPrefix = "AGENTS-READY ";

    private static readonly byte[] Chunk = new byte[256 * 1024];

    /// <summary>The agent-side handlers: ping, and <c>logs.follow</c> streaming <c>tailLines</c> MiB.</summary>
    public static TunnelHandlers Handlers() => new TunnelHandlers()
        .Map(TunnelOperations.Ping, (_, _, _) => ValueTask.FromResult(new PingReply(DateTimeOffset.UtcNow)))
        .MapStream(TunnelOperations.LogFollow, async (r, s, ct) =>
        {
            for (long sent = 0, total = (long)r.TailLines * 1024 * 1024; sent < total; sent += Chunk.Length)
                await s.WriteAsync(Chunk.AsMemory(0, (int)Math.Min(Chunk.Length, total - sent)), ct);
        });

    public static async Task<TunnelConnection> ConnectAsync(Uri url, X509Certificate2 cert, TrustBundle trust, TunnelHandlers handlers, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var handler = new SocketsHttpHandler { SslOptions = TlsPolicies.MutualTlsClientOptions(url.IdnHost, cert, () => trust) };
        await socket.ConnectAsync(url, new HttpMessageInvoker(handler), ct);
        var options = new TunnelConnectionOptions { HeartbeatInterval = TimeSpan.FromSeconds(10), MaxFrameBytes = 1024 * 1024 };
        var ack = await TunnelHandshake.ClientAsync(socket, new HelloMessage { AgentVersion = "bench", Capabilities = [.. handlers.Capabilities], StreamWindowBytes = options.StreamWindowBytes }, options, ct);
        var c = new TunnelConnection(socket, isAgent: true, handlers, ack.Capabilities, ack.StreamWindowBytes, options with { MaxFrameBytes = ack.MaxFrameBytes },
            NullLogger.Instance);
        _ = c.RunAsync();
        return c;
    }

    /// <summary>
    /// Child process: connects agents <c>from</c>..<c>from+count-1</c> (certificates from <c>dir</c>), prints the managed
    /// memory they cost, and serves until its standard input closes.
    /// </summary>
    public static async Task<int> RunProcessAsync(Uri url, string dir, int from, int count)
    {
        var trust = TrustBundle.FromPem(await File.ReadAllTextAsync(Path.Combine(dir, "ca.pem")));
        var certs = new X509Certificate2[count];
        for (var i = 0; i < count; i++)
            certs[i] = Pem.LoadCertificateWithKey(await File.ReadAllTextAsync(Path.Combine(dir, $"{from + i}.crt")), await File.ReadAllTextAsync(Path.Combine(dir, $"{from + i}.key")));
        var handlers = Handlers();
        var connections = new TunnelConnection[count];
        // Warm one connection up first so code paths (JIT, TLS) are not counted as per-connection memory.
        var warm = await ConnectAsync(url, certs[0], trust, handlers, CancellationToken.None);
        await warm.CloseAsync("warm-up");
        Measure.Collect();
        var before = GC.GetTotalMemory(true);
        var ws0 = Environment.WorkingSet;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            connections[i] = await ConnectAsync(url, certs[i], trust, handlers, ct));
        await Task.Delay(500); // let the handshakes' transient buffers go back
        Measure.Collect();
        var after = GC.GetTotalMemory(true);
        Console.WriteLine($"{ReadyPrefix}{count} {(after - before) / (double)count:0} {(Environment.WorkingSet - ws0) / (double)count:0}");
        while (await Console.In.ReadLineAsync() is not null) { }
        foreach (var c in connections) c.Close("bench done");
        GC.KeepAlive(connections);
        return 0;
    }
}

static class Measure
{
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
