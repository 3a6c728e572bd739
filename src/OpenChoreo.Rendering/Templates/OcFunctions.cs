using System.Text.Json.Nodes;
using OpenChoreo.Cel;
using OpenChoreo.Rendering.Naming;

namespace OpenChoreo.Rendering.Templates;

/// <summary>The <c>oc_*</c> functions templates may call, registered on a CEL environment.</summary>
public static class OcFunctions
{
    /// <summary>
    /// What <c>oc_omit()</c> returns. It is a string nobody writes by accident, so it survives CEL evaluation and JSON
    /// conversion unchanged; the renderer removes any field, map entry or list item holding exactly this value.
    /// </summary>
    public const string OmitSentinel = "\u0000oc_omit\u0000";

    public static CelEnvironment Register(CelEnvironment env) => env
        .WithFunction("oc_omit", new CelOverload(_ => CelValue.FromString(OmitSentinel), []))
        .WithFunction("oc_merge", CelOverload.AnyVariadic(1, Merge))
        .WithFunction("oc_generate_name", CelOverload.AnyVariadic(1, GenerateName))
        .WithFunction("oc_hash", new CelOverload(args => CelValue.FromString(NameGenerator.Fnv32a(args[0].AsString)), [CelKind.String]));

    private static CelValue Merge(ReadOnlySpan<CelValue> args)
    {
        var result = new JsonObject();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].Kind == CelKind.Null) continue;
            if (args[i].Kind != CelKind.Map)
                return CelValue.FromError(CelErrorKind.NoSuchOverload, $"oc_merge: argument {i + 1} is a {args[i].Kind.ToString().ToLowerInvariant()}, not a map");
            if (args[i].ToJsonNode() is not JsonObject o) continue;
            foreach (var (k, v) in o.ToList())
            {
                o.Remove(k);
                result[k] = v;
            }
        }
        return CelValue.FromJson(result);
    }

    private static CelValue GenerateName(ReadOnlySpan<CelValue> args)
    {
        var parts = new List<string>(args.Length);
        foreach (var a in args)
        {
            switch (a.Kind)
            {
                case CelKind.String: parts.Add(a.AsString); break;
                case CelKind.List when a.ToJsonNode() is JsonArray arr:
                    foreach (var item in arr)
                    {
                        if (item is JsonValue v && v.TryGetValue(out string? s)) parts.Add(s!);
                        else return CelValue.FromError(CelErrorKind.NoSuchOverload, "oc_generate_name: list items must be strings");
                    }
                    break;
                default:
                    return CelValue.FromError(CelErrorKind.NoSuchOverload, $"oc_generate_name: arguments must be strings, got {a.Kind.ToString().ToLowerInvariant()}");
            }
        }
        if (parts.Count == 0) return CelValue.FromError(CelErrorKind.InvalidArgument, "oc_generate_name: at least one name part is required");
        return CelValue.FromString(NameGenerator.Generate(NameGenerator.MaxNameLength, parts));
    }
}
