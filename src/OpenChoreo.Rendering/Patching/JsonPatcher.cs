using System.Globalization;
using System.Text.Json.Nodes;

namespace OpenChoreo.Rendering.Patching;

/// <summary>
/// Applies RFC 6902 <c>add</c>, <c>replace</c>, <c>remove</c> and the OpenChoreo <c>mergeShallow</c> on extended
/// JSON Pointers. Array filters fan out: the operation applies at every matching element. <c>add</c> and
/// <c>mergeShallow</c> create missing parent maps and lists (as upstream does) so traits can add the first volume.
/// Throws <see cref="PatchException"/> with the reason.
/// </summary>
public static class JsonPatcher
{
    public static void Apply(JsonObject document, string op, string path, JsonNode? value)
    {
        List<PathSegment> segments;
        try
        {
            segments = PatchPath.Parse(path);
        }
        catch (FormatException e)
        {
            throw new PatchException(e.Message);
        }
        if (segments.Count == 0) throw new PatchException($"{op}: the whole document cannot be patched (path \"{path}\")");
        bool create = op is "add" or "mergeShallow";
        if (op is not ("add" or "replace" or "remove" or "mergeShallow"))
            throw new PatchException($"unsupported operation \"{op}\" (expected add, replace, remove or mergeShallow)");
        var parents = new List<JsonNode>();
        Resolve(document, segments, 0, create, path, parents);
        if (parents.Count == 0) throw new PatchException($"{op} {path}: no array element matches the filter");
        var last = segments[^1];
        foreach (var parent in parents)
        {
            if (last.IsFilter)
            {
                var matches = Matching((JsonArray)parent, last).ToList();
                if (matches.Count == 0) throw new PatchException($"{op} {path}: no array element matches the filter");
                foreach (var idx in matches.OrderByDescending(x => x)) ApplyAtIndex((JsonArray)parent, idx, op, value, path, isAppend: false);
                continue;
            }
            switch (parent)
            {
                case JsonObject o:
                    ApplyAtKey(o, last.Key!, op, value, path);
                    break;
                case JsonArray a:
                    if (last.Key == "-")
                    {
                        if (op != "add") throw new PatchException($"{op} {path}: '-' is only valid for add");
                        a.Add(value?.DeepClone());
                        break;
                    }
                    if (!int.TryParse(last.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                        throw new PatchException($"{op} {path}: \"{last.Key}\" is not an array index");
                    ApplyAtIndex(a, index, op, value, path, isAppend: false);
                    break;
                default:
                    throw new PatchException($"{op} {path}: the parent is not a map or a list");
            }
        }
    }

    private static void ApplyAtKey(JsonObject o, string key, string op, JsonNode? value, string path)
    {
        switch (op)
        {
            case "add":
                o[key] = value?.DeepClone();
                break;
            case "replace":
                if (!o.ContainsKey(key)) throw new PatchException($"replace {path}: \"{key}\" does not exist");
                o[key] = value?.DeepClone();
                break;
            case "remove":
                if (!o.Remove(key)) throw new PatchException($"remove {path}: \"{key}\" does not exist");
                break;
            case "mergeShallow":
                {
                    if (value is not JsonObject overlay) throw new PatchException($"mergeShallow {path}: the value must be a map");
                    if (!o.TryGetPropertyValue(key, out var existing) || existing is null)
                    {
                        o[key] = overlay.DeepClone();
                        break;
                    }
                    if (existing is not JsonObject target) throw new PatchException($"mergeShallow {path}: the target is not a map");
                    foreach (var (k, v) in overlay) target[k] = v?.DeepClone();
                    break;
                }
        }
    }

    private static void ApplyAtIndex(JsonArray a, int index, string op, JsonNode? value, string path, bool isAppend)
    {
        _ = isAppend;
        switch (op)
        {
            case "add":
                if (index > a.Count) throw new PatchException($"add {path}: index {index} is out of range (size {a.Count})");
                a.Insert(index, value?.DeepClone());
                break;
            case "replace":
                if (index >= a.Count) throw new PatchException($"replace {path}: index {index} is out of range (size {a.Count})");
                a[index] = value?.DeepClone();
                break;
            case "remove":
                if (index >= a.Count) throw new PatchException($"remove {path}: index {index} is out of range (size {a.Count})");
                a.RemoveAt(index);
                break;
            case "mergeShallow":
                if (index >= a.Count) throw new PatchException($"mergeShallow {path}: index {index} is out of range (size {a.Count})");
                if (value is not JsonObject overlay) throw new PatchException($"mergeShallow {path}: the value must be a map");
                if (a[index] is not JsonObject target) throw new PatchException($"mergeShallow {path}: the target is not a map");
                foreach (var (k, v) in overlay) target[k] = v?.DeepClone();
                break;
        }
    }

    /// <summary>Collects the containers that hold the last segment, following filters to every match.</summary>
    private static void Resolve(JsonNode current, List<PathSegment> segs, int i, bool create, string path, List<JsonNode> parents)
    {
        if (i == segs.Count - 1)
        {
            if (segs[i].IsFilter && current is not JsonArray)
                throw new PatchException($"{path}: an array filter applies to a list, found a {Describe(current)}");
            parents.Add(current);
            return;
        }
        var seg = segs[i];
        if (seg.IsFilter)
        {
            if (current is not JsonArray arr) throw new PatchException($"{path}: an array filter applies to a list, found a {Describe(current)}");
            foreach (var idx in Matching(arr, seg)) Resolve(arr[idx]!, segs, i + 1, create, path, parents);
            return;
        }
        switch (current)
        {
            case JsonObject o:
                {
                    if (!o.TryGetPropertyValue(seg.Key!, out var child) || child is null)
                    {
                        if (!create) throw new PatchException($"{path}: \"{seg.Key}\" does not exist");
                        var next = segs[i + 1];
                        child = next.IsFilter || next.Key == "-" || IsIndex(next.Key) ? new JsonArray() : new JsonObject();
                        o[seg.Key!] = child;
                    }
                    Resolve(child, segs, i + 1, create, path, parents);
                    break;
                }
            case JsonArray a:
                {
                    if (!int.TryParse(seg.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int idx) || idx >= a.Count || a[idx] is null)
                        throw new PatchException($"{path}: \"{seg.Key}\" is not an index of a list of {a.Count}");
                    Resolve(a[idx]!, segs, i + 1, create, path, parents);
                    break;
                }
            default:
                throw new PatchException($"{path}: cannot step into a {Describe(current)} at \"{seg.Key}\"");
        }
    }

    private static IEnumerable<int> Matching(JsonArray arr, PathSegment filter)
    {
        var fields = filter.FilterField!.Split('.');
        for (int i = 0; i < arr.Count; i++)
        {
            JsonNode? n = arr[i];
            foreach (var f in fields) n = n is JsonObject o && o.TryGetPropertyValue(f, out var c) ? c : null;
            if (n is JsonValue v && ScalarText(v) == filter.FilterValue) yield return i;
        }
    }

    private static string? ScalarText(JsonValue v) => v.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        System.Text.Json.JsonValueKind.True => "true",
        System.Text.Json.JsonValueKind.False => "false",
        System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    private static bool IsIndex(string? k) => k is { Length: > 0 } && k.All(char.IsAsciiDigit);

    private static string Describe(JsonNode n) => n switch { JsonObject => "map", JsonArray => "list", _ => "scalar" };
}

/// <summary>A patch operation could not be applied.</summary>
public sealed class PatchException(string message) : Exception(message);
