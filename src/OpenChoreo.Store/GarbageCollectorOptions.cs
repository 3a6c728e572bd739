using System.ComponentModel.DataAnnotations;

namespace OpenChoreo.Store;

public sealed class GarbageCollectorOptions
{
    /// <summary>How often the full sweep runs (it also runs at start and after a lost watch).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether the sweep deletes objects in a namespace that has no Organization of the same name (left behind when
    /// an Organization was deleted while no collector ran).
    /// </summary>
    public bool SweepNamespacesWithoutOrganization { get; set; } = true;

    /// <summary>Namespaces the sweep never empties, although no Organization names them (system namespaces).</summary>
    public List<string> ProtectedNamespaces { get; set; } = ["openchoreo-system"];

    /// <summary>
    /// Namespaces starting with this are never swept either: the planes' namespaces of <c>occ plan</c>
    /// (<c>openchoreo-control-plane</c>, <c>openchoreo-data-plane[-name]</c>…) hold their issuers, certificates and secrets.
    /// Deleting an Organization of such a name still empties its namespace.
    /// </summary>
    public string ProtectedNamespacePrefix { get; set; } = "openchoreo-";

    /// <summary>The kind whose cluster-scoped objects are namespaces of the same name.</summary>
    [Required]
    public string OrganizationKind { get; set; } = "Organization";
}
