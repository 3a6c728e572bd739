using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenChoreo.Tunnel;

/// <summary>First frame from the agent. Capabilities are the op names it serves (strings, not version numbers).</summary>
public sealed record HelloMessage
{
    public int ProtocolVersion { get; init; } = FrameHeader.ProtocolVersion;
    public string AgentVersion { get; init; } = "";
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    /// <summary>The receive window the agent grants per stream, in bytes.</summary>
    public int StreamWindowBytes { get; init; }
}

/// <summary>The gateway's answer: what it serves, how often to heartbeat, and the limits in force.</summary>
public sealed record HelloAckMessage
{
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public int HeartbeatIntervalMs { get; init; }
    public int MaxFrameBytes { get; init; }
    public int StreamWindowBytes { get; init; }
    public string ConnectionId { get; init; } = "";
    public string GatewayReplica { get; init; } = "";
}

public sealed record ErrorBody(string Code, string Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HelloMessage))]
[JsonSerializable(typeof(HelloAckMessage))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class TunnelFrameJson : JsonSerializerContext;
