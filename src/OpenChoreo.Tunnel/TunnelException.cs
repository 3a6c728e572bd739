namespace OpenChoreo.Tunnel;

/// <summary>Error codes carried in Error and GoAway frames (<c>{"code": …, "message": …}</c>).</summary>
public static class TunnelErrorCodes
{
    public const string Unsupported = "unsupported";
    public const string DeadlineExceeded = "deadline-exceeded";
    public const string Cancelled = "cancelled";
    public const string Closed = "closed";
    public const string Internal = "internal";
    public const string InvalidArgument = "invalid-argument";
    public const string NotFound = "not-found";
    public const string FrameTooLarge = "frame-too-large";
    public const string ProtocolError = "protocol-error";
    public const string PermissionDenied = "permission-denied";
}

/// <summary>A failed tunnel operation. <see cref="Code"/> is one of <see cref="TunnelErrorCodes"/>.</summary>
public class TunnelException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
