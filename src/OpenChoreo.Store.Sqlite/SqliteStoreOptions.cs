using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Store.Sqlite;

public sealed class SqliteStoreOptions
{
    /// <summary>The database file (created when missing). One process owns it at a time.</summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary>How long a statement waits for a lock held by another connection before failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
