using System.Text.Json.Nodes;

namespace OpenChoreo.Model;

/// <summary>A column shown by <c>occ get</c>, taken from the CRD's additionalPrinterColumns.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, int Priority);

/// <summary>Everything the platform knows about one resource kind: names, scope and schema.</summary>
public sealed record ResourceKind(
    string Group,
    string Version,
    string Kind,
    string ListKind,
    string Plural,
    string Singular,
    IReadOnlyList<string> ShortNames,
    bool Namespaced,
    bool StatusSubresource,
    IReadOnlyList<PrinterColumn> PrinterColumns,
    JsonObject Schema)
{
    public string ApiVersion => string.IsNullOrEmpty(Group) ? Version : $"{Group}/{Version}";

    public override string ToString() => $"{Kind}.{Group}";
}
