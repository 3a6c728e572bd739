using OpenChoreo.Tunnel;

namespace OpenChoreo.Agent;

/// <summary>
/// The agent's connection loop to one gateway URL: a seed from the command line, or a replica the gateways announced.
/// Each link has its own backoff, so a dead replica never slows the connections to the live ones.
/// </summary>
internal sealed class GatewayLink(Uri url, bool seed, Backoff backoff, CancellationTokenSource stop)
{
    public Uri Url { get; } = url;

    /// <summary>Seeds are kept for the agent's lifetime; announced links end once no longer announced.</summary>
    public bool Seed { get; } = seed;

    public Backoff Backoff { get; } = backoff;

    public CancellationTokenSource Stop { get; } = stop;

    public Task Run { get; set; } = Task.CompletedTask;

    /// <summary>False once an announced replica is no longer announced: the link ends at its next failure.</summary>
    public volatile bool Wanted = true;

    /// <summary>The replica this link reached last (from HelloAck): an announced replica a seed already reaches is not dialled twice.</summary>
    public volatile string? Replica;

    /// <summary>The live connection, once handshaken.</summary>
    public volatile TunnelConnection? Connection;

    /// <summary>The live connection once its first resync completed (a candidate to take over delivery).</summary>
    public volatile TunnelConnection? Ready;
}
