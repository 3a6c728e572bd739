using OpenChoreo.Model;

namespace OpenChoreo.Store;

/// <summary>What a back end must do inside its write transaction.</summary>
public enum WriteAction
{
    /// <summary>Nothing changes; roll back (e.g. a no-op update, or deleting an object that is already going).</summary>
    None,
    Insert,
    Update,
    Delete,
}

/// <summary>
/// The outcome of applying the store's rules to the current row: the row to write (for Insert/Update), the event
/// to append (every write appends exactly one) and the object to return to the caller.
/// </summary>
public sealed record WriteDecision(WriteAction Action, ResourceObject? Result, StoredObject? Row, EventRecord? Event)
{
    public static WriteDecision Unchanged(ResourceObject? result) => new(WriteAction.None, result, null, null);
}

/// <summary>
/// Decides a write from the current row (null when absent) and the revision the write would get. Runs inside the
/// back end's write transaction, so the current row cannot change underneath it. May throw <see cref="ApiException"/>.
/// </summary>
public delegate WriteDecision WritePlanner(StoredObject? current, long nextRevision);
