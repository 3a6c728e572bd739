namespace OpenChoreo.Store;

/// <summary>Decides whether (and as what) an event reaches a watcher with the given options.</summary>
internal static class WatchFilter
{
    /// <summary>The event type the watcher sees, or null when the event does not concern it.</summary>
    public static WatchEventType? Classify(ListOptions options, EventRecord e)
    {
        if (options.Kind != ListOptions.AllKinds && options.Kind != e.Key.Kind) return null;
        if (options.Namespace is not null && options.Namespace != e.Key.Namespace) return null;
        var selector = options.LabelSelector;
        if (selector is null || selector.IsEmpty) return e.Type;

        var matches = selector.Matches(e.Labels);
        if (e.Type != WatchEventType.Modified) return matches ? e.Type : null;
        // Kubernetes semantics: an object entering the selection is Added, one leaving it is Deleted.
        var matched = selector.Matches(e.PrevLabels);
        return (matched, matches) switch
        {
            (true, true) => WatchEventType.Modified,
            (false, true) => WatchEventType.Added,
            (true, false) => WatchEventType.Deleted,
            _ => null,
        };
    }
}
