using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Store;

/// <summary>Settings every back end shares.</summary>
public sealed class ResourceStoreOptions
{
    /// <summary>Events one watcher may have pending before it is cut off with 410 (its client then relists).</summary>
    [Range(16, 1_000_000)]
    public int WatchBufferSize { get; set; } = 10_000;

    /// <summary>Events read from the event log per query while a watch replays history.</summary>
    [Range(1, 100_000)]
    public int ReplayPageSize { get; set; } = 1_000;

    /// <summary>Largest object the store accepts, in characters of its serialized JSON.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxObjectBytes { get; set; } = 3 * 1024 * 1024;
}
