using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Store.Postgres;

public sealed class PostgresStoreOptions
{
    /// <summary>
    /// An Npgsql connection string. Several hosts (<c>Host=pg1,pg2,pg3</c>) are allowed: the store always works on
    /// the primary (it ignores <c>Target Session Attributes</c>), so it keeps working after a failover.
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>How often watch tailers poll the event log when no notification arrives (the LISTEN fallback).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The NOTIFY channel writers signal on.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]{0,62}$")]
    public string NotifyChannel { get; set; } = "openchoreo_store";
}
