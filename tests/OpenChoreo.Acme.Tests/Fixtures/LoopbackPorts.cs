using System.Net;
using System.Net.Sockets;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>Free loopback ports for servers that need their port in a config file before they start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free for both TCP and UDP (DNS listens on both).</summary>
    public static int Free()
    {
        for (var i = 0; i < 50; i++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("No free loopback port for TCP and UDP.");
    }
}
