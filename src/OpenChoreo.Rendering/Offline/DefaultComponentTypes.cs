using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Offline;

/// <summary>The default ComponentTypes (service, web-application, scheduled-task), embedded from the API's bootstrap set.</summary>
public static class DefaultComponentTypes
{
    private static readonly Lazy<IReadOnlyList<JsonObject>> All = new(Load);

    /// <summary>Fresh copies of the embedded ComponentType objects.</summary>
    public static IReadOnlyList<JsonObject> Get() => [.. All.Value.Select(o => (JsonObject)o.DeepClone())];

    private static IReadOnlyList<JsonObject> Load()
    {
        var asm = typeof(DefaultComponentTypes).Assembly;
        var result = new List<JsonObject>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("OpenChoreo.Rendering.Defaults.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            foreach (var doc in YamlCodec.ReadAll(reader.ReadToEnd()))
                if (doc is JsonObject o && (string?)o["kind"] == "ComponentType") result.Add(o);
        }
        return result;
    }
}
