using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Store;

/// <summary>
/// How much watch history the <see cref="WatchHistoryCompactor"/> keeps. Both limits apply: history holds at most
/// <see cref="MaxRevisions"/> revisions and nothing older than <see cref="MaxAge"/>. A watch that asks for older
/// history gets 410 Expired and relists.
/// </summary>
public sealed class WatchHistoryOptions
{
    [Range(1, long.MaxValue)]
    public long MaxRevisions { get; set; } = 100_000;

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);
}
