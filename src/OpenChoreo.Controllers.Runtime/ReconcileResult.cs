namespace OpenChoreo.Controllers.Runtime;

/// <summary>
/// What a reconcile asks for next. Reconcilers return results rather than throwing: <see cref="Done"/> when the object
/// is settled, <see cref="After"/> to look again later (e.g. while something progresses), <see cref="Retry"/> for a
/// transient failure (per-key exponential backoff).
/// </summary>
public readonly record struct ReconcileResult(TimeSpan? RequeueAfter, bool Failed, string? Error)
{
    public static ReconcileResult Done { get; } = new(null, false, null);

    public static ReconcileResult After(TimeSpan delay) => new(delay, false, null);

    public static ReconcileResult Retry(string error) => new(null, true, error);
}
