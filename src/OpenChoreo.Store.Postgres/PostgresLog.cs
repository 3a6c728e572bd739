using Microsoft.Extensions.Logging;

namespace OpenChoreo.Store.Postgres;

internal static partial class PostgresLog
{
    [LoggerMessage(101, LogLevel.Warning, "Store event tailer failed; retrying")]
    public static partial void TailerFailed(ILogger logger, Exception exception);

    [LoggerMessage(102, LogLevel.Warning, "Store LISTEN connection lost; tailers poll until it is back")]
    public static partial void ListenLost(ILogger logger, Exception exception);
}
