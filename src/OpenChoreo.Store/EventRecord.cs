using System.Text.Json;
using OpenChoreo.Model;

namespace OpenChoreo.Store;

/// <summary>
/// One entry of the event log. Immutable and shared by every watcher of a process: each watcher parses
/// <see cref="Data"/> itself, so no watcher can change what another one sees.
/// </summary>
/// <param name="PrevLabelsJson">For Modified: the labels before the change (to tell watchers with a selector that
/// an object started or stopped matching).</param>
public sealed class EventRecord(
    long revision,
    WatchEventType type,
    ResourceKey key,
    string? labelsJson,
    string? prevLabelsJson,
    string data)
{
    private IReadOnlyDictionary<string, string>? _labels;
    private IReadOnlyDictionary<string, string>? _prevLabels;

    public long Revision { get; } = revision;
    public WatchEventType Type { get; } = type;
    public ResourceKey Key { get; } = key;
    public string? LabelsJson { get; } = labelsJson;
    public string? PrevLabelsJson { get; } = prevLabelsJson;
    public string Data { get; } = data;

    public IReadOnlyDictionary<string, string> Labels => _labels ??= ParseLabels(LabelsJson);

    public IReadOnlyDictionary<string, string> PrevLabels => _prevLabels ??= ParseLabels(PrevLabelsJson);

    internal static IReadOnlyDictionary<string, string> ParseLabels(string? json)
    {
        if (string.IsNullOrEmpty(json)) return EmptyLabels;
        var map = JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        return map.Count == 0 ? EmptyLabels : map;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>();
}
