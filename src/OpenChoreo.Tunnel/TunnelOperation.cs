using System.Text.Json.Serialization.Metadata;

namespace OpenChoreo.Tunnel;

/// <summary>
/// A typed unary operation: its wire name (also its capability string) and the JSON contracts of request and response.
/// Adding an operation = one descriptor in <see cref="TunnelOperations"/>, its records, and a handler on the serving side.
/// </summary>
public sealed record TunnelOperation<TRequest, TResponse>(string Name, JsonTypeInfo<TRequest> RequestType, JsonTypeInfo<TResponse> ResponseType)
{
    public string Name { get; } = TunnelOperationNames.Check(Name);
}

/// <summary>A typed stream operation: opened with a JSON argument, then bytes flow with credit-based flow control.</summary>
public sealed record TunnelStreamOperation<TRequest>(string Name, JsonTypeInfo<TRequest> RequestType)
{
    public string Name { get; } = TunnelOperationNames.Check(Name);
}

internal static class TunnelOperationNames
{
    public static string Check(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > FrameHeader.MaxOpLength || name.Any(c => c > 127 || !FrameHeader.IsOpChar((byte)c)))
            throw new ArgumentException($"'{name}' is not a valid op name ([a-z0-9.-], 1..{FrameHeader.MaxOpLength} characters).", nameof(name));
        return name;
    }
}
