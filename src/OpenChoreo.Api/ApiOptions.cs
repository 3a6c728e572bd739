using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Api;

/// <summary>Settings of the API server (config section <c>api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "api";

    /// <summary>Largest accepted request body. Kubernetes uses 3 MiB for objects.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>Largest number of objects a single list answers before asking the client to narrow it.</summary>
    [Range(1, 1_000_000)]
    public int MaxListItems { get; set; } = 100_000;

    /// <summary>How long a watch stays open before the server ends it (clients re-watch from the last revision).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan MaxWatchDuration { get; set; } = TimeSpan.FromMinutes(30);
}
