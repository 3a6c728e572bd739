namespace OpenChoreo.Testing;

public sealed record FaultProxyOptions
{
    /// <summary>Connections beyond this are reset at once (keeps a runaway test bounded).</summary>
    public int MaxConnections { get; init; } = 256;

    public int BufferSize { get; init; } = 16 * 1024;

    /// <summary>Clock for injected latency.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
