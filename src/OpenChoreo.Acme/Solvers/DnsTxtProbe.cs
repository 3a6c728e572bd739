using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace OpenChoreo.Acme;

/// <summary>Asks one DNS server (without recursion) for a TXT record until the wanted value appears or disappears.</summary>
public sealed class DnsTxtProbe
{
    private readonly IPEndPoint _server;
    private readonly TimeSpan _queryTimeout;

    public DnsTxtProbe(IPEndPoint server, TimeSpan queryTimeout)
    {
        _server = server ?? throw new ArgumentNullException(nameof(server));
        _queryTimeout = queryTimeout;
    }

    internal static DnsClient Client(IPEndPoint server, TimeSpan timeout) =>
        new([server.Address], [new UdpClientTransport(server.Port), new TcpClientTransport(server.Port)], true, (int)timeout.TotalMilliseconds);

    public async Task<bool> HasValueAsync(string name, string value, CancellationToken cancellationToken)
    {
        using var client = Client(_server, _queryTimeout);
        var answer = await client.ResolveAsync(DomainName.Parse(name), RecordType.Txt, RecordClass.INet,
            new DnsQueryOptions { IsRecursionDesired = false }, cancellationToken).ConfigureAwait(false);
        return answer is { ReturnCode: ReturnCode.NoError }
            && answer.AnswerRecords.OfType<TxtRecord>().Any(r => string.Equals(r.TextData, value, StringComparison.Ordinal));
    }

    /// <summary>Polls until the record is (or is no longer) served; throws <see cref="AcmeTimeoutException"/> at the deadline.</summary>
    public async Task WaitAsync(string name, string value, bool present, TimeSpan timeout, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (await HasValueAsync(name, value, cancellationToken).ConfigureAwait(false) != present)
        {
            if (time.GetUtcNow() >= deadline)
                throw new AcmeTimeoutException($"The DNS server {_server} did not {(present ? "serve" : "drop")} the TXT record {name} within {timeout.TotalSeconds:0.#} s.");
            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
