using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace OpenChoreo.Cli.Doctor;

/// <summary>Resolves names through the system resolver, or through one DNS server (to check a zone before delegation).</summary>
public sealed class HostResolver(IPEndPoint? server, TimeSpan timeout)
{
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken ct)
    {
        if (server is null)
        {
            try
            {
                return await Dns.GetHostAddressesAsync(host, ct);
            }
            catch (SocketException)
            {
                return [];
            }
        }
        var client = new DnsClient([server.Address], [new UdpClientTransport(server.Port), new TcpClientTransport(server.Port)], true, (int)timeout.TotalMilliseconds);
        var addresses = new List<IPAddress>();
        foreach (var type in new[] { RecordType.A, RecordType.Aaaa })
        {
            var answer = await client.ResolveAsync(DomainName.Parse(host), type, RecordClass.INet, new DnsQueryOptions { IsRecursionDesired = true }, ct);
            if (answer is null) throw new TimeoutException($"the DNS server {server} did not answer");
            addresses.AddRange(answer.AnswerRecords.OfType<ARecord>().Select(r => r.Address));
            addresses.AddRange(answer.AnswerRecords.OfType<AaaaRecord>().Select(r => r.Address));
        }
        return addresses;
    }
}
