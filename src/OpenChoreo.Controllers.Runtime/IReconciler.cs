using OpenChoreo.Store;

namespace OpenChoreo.Controllers.Runtime;

/// <summary>A level-triggered reconciler for one kind: reads the current state and moves the world towards it.</summary>
public interface IReconciler
{
    /// <summary>A short name for logs and metrics, e.g. "component".</summary>
    string Name { get; }

    /// <summary>The kind whose changes enqueue the object itself.</summary>
    string Kind { get; }

    /// <summary>
    /// Other kinds whose changes should wake objects of <see cref="Kind"/>, with the mapping from the changed object to
    /// the keys to reconcile (e.g. a Workload change wakes its Component).
    /// </summary>
    IReadOnlyList<SecondaryWatch> Watches => [];

    /// <summary>
    /// True when a change to nothing but an object's status (the controller's own status write, most often) should not
    /// wake it: spec (generation), labels, annotations, finalizers, owners and deletion still do. Only for controllers
    /// that are the sole writer of their kind's status; the periodic resync still covers everything.
    /// </summary>
    bool IgnoresStatusOnlyChanges => false;

    /// <summary>How many objects this controller reconciles at once (never the same key twice at once).</summary>
    int MaxConcurrency => 2;

    /// <summary>How often every object is reconciled even without a change (a safety net).</summary>
    TimeSpan ResyncPeriod => TimeSpan.FromMinutes(10);

    /// <summary>Reconciles one object; the object may have been deleted since it was queued.</summary>
    Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct);
}

/// <summary>
/// A kind to watch and how a change to one of its objects maps to keys of the reconciled kind. With
/// <paramref name="IgnoreStatusOnly"/> a change to nothing but the watched object's status maps to nothing (saves the
/// map's store reads when the reconciled kind depends only on the watched object's spec and metadata).
/// </summary>
public sealed record SecondaryWatch(string Kind, Func<OpenChoreo.Model.ResourceObject, IResourceStore, CancellationToken, Task<IEnumerable<ResourceKey>>> Map,
    bool IgnoreStatusOnly = false);
