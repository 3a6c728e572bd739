using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation;

/// <summary>
/// Checks <c>metadata</c> as the Kubernetes API server does for every object (ObjectMeta validation): names,
/// namespace scope, label and annotation syntax and size, and the set and types of fields.
/// </summary>
internal static class MetadataValidator
{
    private enum FieldType { String, Integer, Timestamp, StringMap, StringList, OwnerReferences, Any }

    private static readonly Dictionary<string, FieldType> Fields = new(StringComparer.Ordinal)
    {
        ["name"] = FieldType.String,
        ["generateName"] = FieldType.String,
        ["namespace"] = FieldType.String,
        ["selfLink"] = FieldType.String,
        ["uid"] = FieldType.String,
        ["resourceVersion"] = FieldType.String,
        ["generation"] = FieldType.Integer,
        ["creationTimestamp"] = FieldType.Timestamp,
        ["deletionTimestamp"] = FieldType.Timestamp,
        ["deletionGracePeriodSeconds"] = FieldType.Integer,
        ["labels"] = FieldType.StringMap,
        ["annotations"] = FieldType.StringMap,
        ["ownerReferences"] = FieldType.OwnerReferences,
        ["finalizers"] = FieldType.StringList,
        ["managedFields"] = FieldType.Any,
    };

    private static readonly Dictionary<string, FieldType> OwnerReferenceFields = new(StringComparer.Ordinal)
    {
        ["apiVersion"] = FieldType.String,
        ["kind"] = FieldType.String,
        ["name"] = FieldType.String,
        ["uid"] = FieldType.String,
        ["controller"] = FieldType.Any,
        ["blockOwnerDeletion"] = FieldType.Any,
    };

    public static bool IsKnownField(string name) => Fields.ContainsKey(name);

    /// <summary>Validates the metadata of a top-level object.</summary>
    public static void Validate(JsonNode? metadata, ResourceKind kind, ValidationOptions options, CauseList causes)
    {
        Validate(metadata, FieldPath.Of("metadata"), requireName: true, namespaced: kind.Namespaced, options, causes);
        // An Organization is the namespace of the same name, so its name must be usable as one: a DNS-1123 label
        // (a subdomain such as "a.b" would create an organization nothing could be put in).
        if (kind.Kind == "Organization" && metadata?["name"] is JsonValue v && v.TryGetValue<string>(out var name)
            && Names.IsDns1123Subdomain(name) && Names.ExplainLabel(name) is { } why)
        {
            causes.Add(FieldErrors.Invalid(FieldPath.Of("metadata").Child("name"), name, why));
        }
    }

    /// <summary>
    /// Validates metadata. <paramref name="namespaced"/>: true requires a namespace, false forbids one, null (embedded
    /// resources) checks it only when present.
    /// </summary>
    public static void Validate(JsonNode? metadata, FieldPath path, bool requireName, bool? namespaced,
        ValidationOptions options, CauseList causes)
    {
        if (metadata is null)
        {
            if (requireName) causes.Add(FieldErrors.Required(path.Child("name"), "name or generateName is required"));
            if (namespaced == true) causes.Add(FieldErrors.Required(path.Child("namespace")));
            return;
        }
        if (metadata is not JsonObject meta)
        {
            causes.Add(FieldErrors.TypeInvalid(path, metadata, "object"));
            return;
        }

        foreach (var (key, value) in meta)
        {
            var p = path.Child(key);
            if (!Fields.TryGetValue(key, out var type))
            {
                causes.Add(FieldErrors.Unknown(p));
                continue;
            }
            CheckType(value, type, p, causes);
        }

        JsonTypes.IsString(meta["name"], out var name);
        JsonTypes.IsString(meta["generateName"], out var generateName);
        if (name.Length > 0)
        {
            if (Names.ExplainSubdomain(name) is { } why) causes.Add(FieldErrors.Invalid(path.Child("name"), name, why));
        }
        else if (requireName && generateName.Length == 0 && IsUnsetOrEmpty(meta["name"]))
        {
            causes.Add(FieldErrors.Required(path.Child("name"), "name or generateName is required"));
        }
        if (generateName.Length > 0 && Names.ExplainSubdomain(MaskTrailingDash(generateName)) is { } gwhy)
        {
            causes.Add(FieldErrors.Invalid(path.Child("generateName"), generateName, gwhy));
        }

        JsonTypes.IsString(meta["namespace"], out var ns);
        switch (namespaced)
        {
            case true when IsUnsetOrEmpty(meta["namespace"]):
                causes.Add(FieldErrors.Required(path.Child("namespace")));
                break;
            case false when ns.Length > 0:
                causes.Add(FieldErrors.Forbidden(path.Child("namespace"), "not allowed on this type"));
                break;
        }
        if (namespaced != false && ns.Length > 0 && Names.ExplainLabel(ns) is { } nswhy)
        {
            causes.Add(FieldErrors.Invalid(path.Child("namespace"), ns, nswhy));
        }

        if (meta["labels"] is JsonObject labels) ValidateLabels(labels, path.Child("labels"), causes);
        if (meta["annotations"] is JsonObject annotations) ValidateAnnotations(annotations, path.Child("annotations"), options, causes);
        if (meta["finalizers"] is JsonArray finalizers)
        {
            for (var i = 0; i < finalizers.Count; i++)
            {
                if (JsonTypes.IsString(finalizers[i], out var f) && ExplainQualifiedName(f) is { } fwhy)
                {
                    causes.Add(FieldErrors.Invalid(path.Child("finalizers").Index(i), f, fwhy));
                }
            }
        }
        if (meta["ownerReferences"] is JsonArray owners) ValidateOwnerReferences(owners, path.Child("ownerReferences"), causes);
    }

    // A wrong type is reported as such, not also as missing.
    private static bool IsUnsetOrEmpty(JsonNode? value) => value is null || (JsonTypes.IsString(value, out var s) && s.Length == 0);

    /// <summary>Checks what may not change on update: name, namespace, uid and creationTimestamp.</summary>
    public static void ValidateUpdate(JsonNode? metadata, JsonNode? oldMetadata, CauseList causes)
    {
        var path = FieldPath.Of("metadata");
        foreach (var field in (ReadOnlySpan<string>)["name", "namespace", "uid", "creationTimestamp"])
        {
            JsonTypes.IsString(metadata?[field], out var now);
            JsonTypes.IsString(oldMetadata?[field], out var before);
            var immutableEvenIfEmpty = field is "name" or "namespace";
            if (now != before && (immutableEvenIfEmpty || (now.Length > 0 && before.Length > 0)))
            {
                causes.Add(FieldErrors.Invalid(path.Child(field), now, "field is immutable"));
            }
        }
    }

    private static void ValidateLabels(JsonObject labels, FieldPath path, CauseList causes)
    {
        foreach (var (key, value) in labels)
        {
            if (ExplainQualifiedName(key) is { } why) causes.Add(FieldErrors.Invalid(path, key, why));
            if (JsonTypes.IsString(value, out var v) && ExplainLabelValue(v) is { } vwhy)
            {
                causes.Add(FieldErrors.Invalid(path.Key(key), v, vwhy));
            }
        }
    }

    private static void ValidateAnnotations(JsonObject annotations, FieldPath path, ValidationOptions options, CauseList causes)
    {
        long total = 0;
        foreach (var (key, value) in annotations)
        {
            if (ExplainQualifiedName(key.ToLowerInvariant()) is { } why) causes.Add(FieldErrors.Invalid(path, key, why));
            total += Encoding.UTF8.GetByteCount(key);
            if (JsonTypes.IsString(value, out var v)) total += Encoding.UTF8.GetByteCount(v);
        }
        if (total > options.MaxAnnotationsBytes)
        {
            causes.Add(new StatusCause(path.ToString(), CauseReasons.TooLong,
                $"Too long: must have at most {options.MaxAnnotationsBytes} bytes"));
        }
    }

    private static void ValidateOwnerReferences(JsonArray owners, FieldPath path, CauseList causes)
    {
        var controllers = 0;
        for (var i = 0; i < owners.Count; i++)
        {
            var p = path.Index(i);
            if (owners[i] is not JsonObject owner)
            {
                causes.Add(FieldErrors.TypeInvalid(p, owners[i], "object"));
                continue;
            }
            foreach (var (key, value) in owner)
            {
                if (!OwnerReferenceFields.TryGetValue(key, out var type)) causes.Add(FieldErrors.Unknown(p.Child(key)));
                else if (type == FieldType.String) CheckType(value, type, p.Child(key), causes);
                else if (value is not null && !JsonTypes.IsBoolean(value)) causes.Add(FieldErrors.TypeInvalid(p.Child(key), value, "boolean"));
            }
            foreach (var required in (ReadOnlySpan<string>)["apiVersion", "kind", "name", "uid"])
            {
                if (IsUnsetOrEmpty(owner[required])) causes.Add(FieldErrors.Required(p.Child(required)));
            }
            if (owner["controller"] is JsonValue c && JsonTypes.IsBoolean(c) && c.GetValue<bool>()) controllers++;
        }
        if (controllers > 1)
        {
            causes.Add(FieldErrors.Invalid(path, "controller", "Only one reference can have Controller set to true"));
        }
    }

    private static void CheckType(JsonNode? value, FieldType type, FieldPath path, CauseList causes)
    {
        if (value is null) return; // null means "unset" for metadata fields
        switch (type)
        {
            case FieldType.String when !JsonTypes.IsString(value, out _):
                causes.Add(FieldErrors.TypeInvalid(path, value, "string"));
                break;
            case FieldType.Timestamp:
                if (!JsonTypes.IsString(value, out var t)) causes.Add(FieldErrors.TypeInvalid(path, value, "string"));
                else if (Schema.Formats.Check("date-time", t) is not null) causes.Add(FieldErrors.Invalid(path, t, "must be an RFC 3339 date-time"));
                break;
            case FieldType.Integer when !(value is JsonValue iv && JsonTypes.IsNumber(iv) && JsonTypes.IsInteger(iv)):
                causes.Add(FieldErrors.TypeInvalid(path, value, "integer"));
                break;
            case FieldType.StringMap:
                if (value is not JsonObject map)
                {
                    causes.Add(FieldErrors.TypeInvalid(path, value, "object"));
                    break;
                }
                foreach (var (k, v) in map)
                {
                    if (!JsonTypes.IsString(v, out _)) causes.Add(FieldErrors.TypeInvalid(path.Key(k), v, "string"));
                }
                break;
            case FieldType.StringList:
                if (value is not JsonArray list)
                {
                    causes.Add(FieldErrors.TypeInvalid(path, value, "array"));
                    break;
                }
                for (var i = 0; i < list.Count; i++)
                {
                    if (!JsonTypes.IsString(list[i], out _)) causes.Add(FieldErrors.TypeInvalid(path.Index(i), list[i], "string"));
                }
                break;
            case FieldType.OwnerReferences when value is not JsonArray:
                causes.Add(FieldErrors.TypeInvalid(path, value, "array"));
                break;
        }
    }

    private static string MaskTrailingDash(string s) => s.Length > 1 && s[^1] == '-' ? s[..^1] + "a" : s;

    internal static string? ExplainQualifiedName(string s)
    {
        if (s.Length == 0) return "name part must be non-empty";
        var slash = s.IndexOf('/');
        var name = s;
        if (slash >= 0)
        {
            var prefix = s[..slash];
            name = s[(slash + 1)..];
            if (prefix.Length == 0) return "prefix part must be non-empty";
            if (Names.ExplainSubdomain(prefix) is { } why) return "prefix part " + why;
            if (name.Contains('/')) return "a qualified name must consist of an optional DNS subdomain prefix and '/', then a name";
        }
        if (name.Length == 0) return "name part must be non-empty";
        if (name.Length > Names.MaxLabelLength) return $"name part must be no more than {Names.MaxLabelLength} characters";
        return Names.IsQualifiedName(name)
            ? null
            : "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    }

    private static string? ExplainLabelValue(string s) =>
        s.Length > Names.MaxLabelLength ? $"must be no more than {Names.MaxLabelLength} characters"
        : Names.IsLabelValue(s) ? null
        : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
}
