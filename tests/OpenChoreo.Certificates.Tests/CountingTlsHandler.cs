using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using OpenChoreo.Pki;

namespace OpenChoreo.Certificates.Tests;

/// <summary>
/// An HTTP handler that dials one endpoint (whatever the URL's host, which stays the SNI name), verifies the server
/// against a trust bundle, and counts connections, handshakes and the serials served — so a test can show that an open
/// connection survived a certificate swap (one connection, one handshake) while new handshakes see the new certificate.
/// </summary>
internal sealed class CountingTlsHandler : IDisposable
{
    private int _connects;
    private int _handshakes;
    private readonly List<string> _served = [];

    public CountingTlsHandler(IPEndPoint endpoint, Func<TrustBundle> trust, string validateAs)
    {
        var validator = TlsPolicies.ServerCertificateValidator(trust, validateAs);
        Handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                Interlocked.Increment(ref _connects);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        Handler.SslOptions.RemoteCertificateValidationCallback = (s, c, ch, e) =>
        {
            Interlocked.Increment(ref _handshakes);
            lock (_served) _served.Add(c!.GetSerialNumberString().ToLowerInvariant());
            return validator(s, c, ch, e);
        };
    }

    public SocketsHttpHandler Handler { get; }

    public int Connects => Volatile.Read(ref _connects);

    public int Handshakes => Volatile.Read(ref _handshakes);

    public IReadOnlyList<string> Served
    {
        get
        {
            lock (_served) return [.. _served];
        }
    }

    public void Dispose() => Handler.Dispose();
}
