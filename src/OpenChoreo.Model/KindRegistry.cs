using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Model;

/// <summary>
/// The set of kinds the API serves. Built from the embedded description of the upstream v0.8 CRDs
/// (see <c>eng/gen-kinds.py</c>); lookups by kind, plural, singular or short name are case-insensitive.
/// </summary>
public sealed class KindRegistry
{
    public const string Group = "openchoreo.dev";
    public const string Version = "v1alpha1";
    public const string GroupVersion = Group + "/" + Version;

    private static readonly Lazy<KindRegistry> DefaultInstance = new(LoadEmbedded);

    private readonly FrozenDictionary<string, ResourceKind> _byAnyName;
    private readonly FrozenDictionary<string, ResourceKind> _byKind;

    public KindRegistry(IEnumerable<ResourceKind> kinds)
    {
        All = kinds.OrderBy(k => k.Kind, StringComparer.Ordinal).ToArray();
        _byKind = All.ToFrozenDictionary(k => k.Kind, StringComparer.Ordinal);
        var names = new Dictionary<string, ResourceKind>(StringComparer.OrdinalIgnoreCase);
        foreach (var k in All)
        {
            foreach (var n in k.ShortNames.Concat([k.Kind, k.Plural, k.Singular]))
            {
                names.TryAdd(n, k);
            }
        }
        _byAnyName = names.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The registry of the 23 openchoreo.dev/v1alpha1 kinds.</summary>
    public static KindRegistry Default => DefaultInstance.Value;

    public IReadOnlyList<ResourceKind> All { get; }

    /// <summary>Resolves what a user typed (<c>comp</c>, <c>Components</c>, <c>componenttype</c>…).</summary>
    public ResourceKind? Resolve(string name) =>
        _byAnyName.TryGetValue(name, out var k) ? k : null;

    /// <summary>Finds the kind of an object by its exact apiVersion and kind.</summary>
    public ResourceKind? Find(string? apiVersion, string? kind) =>
        kind is not null && _byKind.TryGetValue(kind, out var k) && k.ApiVersion == apiVersion ? k : null;

    /// <summary>Finds a kind by its exact Kind name, whatever the apiVersion.</summary>
    public ResourceKind? FindByKind(string kind) => _byKind.GetValueOrDefault(kind);

    /// <summary>Finds a kind by its plural, as used in REST paths.</summary>
    public ResourceKind? FindByPlural(string plural) =>
        _byAnyName.TryGetValue(plural, out var k) && string.Equals(k.Plural, plural, StringComparison.Ordinal) ? k : null;

    private static KindRegistry LoadEmbedded()
    {
        var assembly = typeof(KindRegistry).Assembly;
        using var stream = assembly.GetManifestResourceStream("OpenChoreo.Model.kinds.json")
            ?? throw new InvalidOperationException("embedded kinds.json is missing");
        var kinds = JsonNode.Parse(stream)!.AsArray().Select(n => n!.AsObject()).ToList();
        // Our documented additions to the upstream kinds (docs/extensions.md), applied in file-name order.
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ExtensionPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var ext = assembly.GetManifestResourceStream(name)!;
            ApplyExtension(kinds, JsonNode.Parse(ext)!.AsArray(), name);
        }
        return new KindRegistry(kinds.Select(Parse));
    }

    private const string ExtensionPrefix = "OpenChoreo.Model.extensions.";

    /// <summary>
    /// An extension entry for a kind that exists deep-merges its <c>schema</c> into the kind's schema and appends its
    /// <c>printerColumns</c>; an entry for a new kind must be complete and adds the kind.
    /// </summary>
    internal static void ApplyExtension(List<JsonObject> kinds, JsonArray entries, string source)
    {
        foreach (var entry in entries.Select(e => e!.AsObject()))
        {
            var kind = (string?)entry["kind"] ?? throw new InvalidOperationException($"{source}: an entry has no kind");
            var existing = kinds.FirstOrDefault(k => (string?)k["kind"] == kind);
            if (existing is null)
            {
                kinds.Add((JsonObject)entry.DeepClone());
                continue;
            }
            if (entry["schema"] is JsonObject schema) DeepMerge(existing["schema"]!.AsObject(), schema);
            if (entry["printerColumns"] is JsonArray columns)
                foreach (var c in columns) existing["printerColumns"]!.AsArray().Add(c!.DeepClone());
        }
    }

    private static void DeepMerge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is JsonObject po && target[key] is JsonObject to) DeepMerge(to, po);
            else target[key] = value?.DeepClone();
        }
    }

    private static ResourceKind Parse(JsonObject o) => new(
        (string)o["group"]!,
        (string)o["version"]!,
        (string)o["kind"]!,
        (string)o["listKind"]!,
        (string)o["plural"]!,
        (string)o["singular"]!,
        o["shortNames"]!.AsArray().Select(s => (string)s!).ToArray(),
        (bool)o["namespaced"]!,
        (bool)o["statusSubresource"]!,
        o["printerColumns"]!.AsArray().Select(c => new PrinterColumn(
            (string)c!["name"]!, (string)c["type"]!, (string)c["jsonPath"]!,
            c["priority"]?.GetValue<int>() ?? 0)).ToArray(),
        o["schema"]!.AsObject());

    internal static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = false };
}
