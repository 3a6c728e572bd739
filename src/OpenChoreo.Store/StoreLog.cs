using Microsoft.Extensions.Logging;

namespace OpenChoreo.Store;

internal static partial class StoreLog
{
    [LoggerMessage(1, LogLevel.Debug, "Garbage collector deleted {Key} (all owners gone)")]
    public static partial void DeletedOrphan(ILogger logger, ResourceKey key);

    [LoggerMessage(2, LogLevel.Information, "Garbage collector is emptying namespace {Namespace} (its Organization was deleted)")]
    public static partial void EmptyingNamespace(ILogger logger, string @namespace);

    [LoggerMessage(3, LogLevel.Information, "Garbage collector sweep deleted {Count} objects")]
    public static partial void SweepDeleted(ILogger logger, int count);

    [LoggerMessage(4, LogLevel.Warning, "Garbage collector watch ended; a full sweep follows")]
    public static partial void WatchLost(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Garbage collector watch ended; resuming from revision {Revision}")]
    public static partial void WatchResuming(ILogger logger, long revision, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Garbage collector pass failed; it will be retried")]
    public static partial void GcFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Compacted watch history up to revision {Revision}")]
    public static partial void Compacted(ILogger logger, long revision);

    [LoggerMessage(7, LogLevel.Warning, "Watch history compaction failed; it will be retried")]
    public static partial void CompactionFailed(ILogger logger, Exception exception);
}
