using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Controllers.Runtime;

/// <summary>Leader election through a Lease object in the store (config section <c>controllers:leaderElection</c>).</summary>
public sealed class LeaderElectionOptions
{
    public const string Section = "controllers:leaderElection";

    /// <summary>The lease's name; replicas sharing a store and this name elect one leader.</summary>
    [Required]
    public string LeaseName { get; set; } = "openchoreo-controllers";

    /// <summary>How long a leader that stops renewing keeps the lease. Failover happens within this plus one retry.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the leader renews and candidates retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>This replica's identity; default host name, process id and a random suffix.</summary>
    public string? Identity { get; set; }
}
