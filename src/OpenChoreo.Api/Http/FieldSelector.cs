using OpenChoreo.Model;

namespace OpenChoreo.Api.Http;

/// <summary>The field selectors every kind supports: <c>metadata.name</c> and <c>metadata.namespace</c> with = / == / !=.</summary>
public static class FieldSelector
{
    public static Func<ResourceObject, bool>? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var tests = new List<Func<ResourceObject, bool>>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var negate = part.Contains("!=", StringComparison.Ordinal);
            var pieces = part.Split(negate ? "!=" : part.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (pieces.Length != 2) throw ApiException.BadRequest($"invalid field selector \"{part}\"");
            var (field, value) = (pieces[0].Trim(), pieces[1].Trim());
            Func<ResourceObject, string> get = field switch
            {
                "metadata.name" => o => o.Name,
                "metadata.namespace" => o => o.Namespace,
                _ => throw ApiException.BadRequest($"field selector \"{field}\" is not supported: use metadata.name or metadata.namespace"),
            };
            tests.Add(negate ? o => get(o) != value : o => get(o) == value);
        }
        return o => tests.TrueForAll(t => t(o));
    }
}
