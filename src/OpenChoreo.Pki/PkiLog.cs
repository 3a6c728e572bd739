using Microsoft.Extensions.Logging;

namespace OpenChoreo.Pki;

internal static partial class PkiLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "TLS handshake refused the {Peer} certificate: {Failure} ({Reason})")]
    public static partial void CertificateRefused(ILogger logger, string peer, ChainFailure failure, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Created the platform CA {Generation}")]
    public static partial void CaCreated(ILogger logger, string generation);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Platform CA {Generation} is now issuing; trust bundle holds {Count} CA(s)")]
    public static partial void CaActivated(ILogger logger, string generation, int count);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Platform CA {Generation} removed from the trust bundle")]
    public static partial void CaRetired(ILogger logger, string generation);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Created a new master key for encrypted private keys at {Path}")]
    public static partial void MasterKeyCreated(ILogger logger, string path);
}
