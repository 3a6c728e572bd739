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
        using var stream = typeof(KindRegistry).Assembly.GetManifestResourceStream("OpenChoreo.Model.kinds.json")
            ?? throw new InvalidOperationException("embedded kinds.json is missing");
        var array = JsonNode.Parse(stream)!.AsArray();
        return new KindRegistry(array.Select(n => Parse(n!.AsObject())));
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
