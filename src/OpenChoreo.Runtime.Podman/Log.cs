using Microsoft.Extensions.Logging;

namespace OpenChoreo.Runtime.Podman;

internal static partial class Log
{
    [LoggerMessage(7091, LogLevel.Information, "Podman runtime started on {Socket}; adopted {Releases} releases")]
    public static partial void Started(ILogger logger, string socket, int releases);

    [LoggerMessage(7092, LogLevel.Information, "Created container {Container}")]
    public static partial void Created(ILogger logger, string container);

    [LoggerMessage(7093, LogLevel.Information, "Removed container {Container}")]
    public static partial void Removed(ILogger logger, string container);

    [LoggerMessage(7094, LogLevel.Warning, "Container {Container} exited with code {ExitCode}; restart {Restart} after {Delay}")]
    public static partial void Crashed(ILogger logger, string container, int exitCode, int restart, TimeSpan delay);

    [LoggerMessage(7095, LogLevel.Warning, "Reconciling release {Release} failed")]
    public static partial void ReconcileFailed(ILogger logger, string release, Exception error);

    [LoggerMessage(7096, LogLevel.Information, "Liveness probe of {Container} failed {Failures} times; restarting it")]
    public static partial void LivenessRestart(ILogger logger, string container, int failures);

    [LoggerMessage(7100, LogLevel.Warning, "Stopping the drained replica {Container} failed; retried on a later pass")]
    public static partial void RetireFailed(ILogger logger, string container, Exception error);

    [LoggerMessage(7101, LogLevel.Warning, "Cell network {Network} is not isolated and has containers attached; other cells can reach them until they are gone and the network is recreated")]
    public static partial void CellNotIsolated(ILogger logger, string network);

    [LoggerMessage(7102, LogLevel.Warning, "Traffic between cells is not blocked: {Problem}")]
    public static partial void CellFirewallFailed(ILogger logger, string problem);

    [LoggerMessage(7097, LogLevel.Warning, "Pruning failed")]
    public static partial void PruneFailed(ILogger logger, Exception error);
}
