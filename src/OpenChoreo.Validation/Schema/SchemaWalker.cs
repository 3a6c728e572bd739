using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenChoreo.Model;

namespace OpenChoreo.Validation.Schema;

/// <summary>
/// Validates a value against a <see cref="SchemaNode"/> tree: types, required fields, unknown fields, enums,
/// patterns, formats, bounds and list semantics. On update, subtrees equal to the correlated old value are
/// skipped (Kubernetes validation ratcheting), so a schema that tightened later does not block unrelated edits.
/// </summary>
internal sealed class SchemaWalker(ValidationOptions options, CauseList causes)
{
    /// <summary>Validates <paramref name="value"/> (present in its parent) against <paramref name="schema"/>.</summary>
    public void Validate(JsonNode? value, Correlation old, SchemaNode schema, FieldPath path, bool valueOnly = false)
    {
        if (causes.Full) return;
        if (old.Exists && JsonTypes.DeepEquals(value, old.Value)) return;

        if (value is null || value.GetValueKind() == JsonValueKind.Null)
        {
            if (!schema.Nullable && (schema.Type is not null || schema.IntOrString))
            {
                causes.Add(FieldErrors.TypeInvalid(path, null, schema.IntOrString ? "integer or string" : schema.Type!));
            }
            return;
        }

        if (!TypeMatches(value, schema))
        {
            causes.Add(FieldErrors.TypeInvalid(path, value, schema.IntOrString ? "integer or string" : schema.Type!));
            return;
        }

        if (schema.Enum is { } allowed && !allowed.Any(a => JsonTypes.DeepEquals(value, a)))
        {
            causes.Add(FieldErrors.NotSupported(path, value, allowed));
        }

        switch (value)
        {
            case JsonObject obj:
                ValidateObject(obj, old, schema, path, valueOnly);
                break;
            case JsonArray arr:
                ValidateArray(arr, old, schema, path, valueOnly);
                break;
            default:
                if (JsonTypes.IsString(value, out var s)) ValidateString(s, schema, path);
                else if (JsonTypes.TryGetDouble(value, out var d)) ValidateNumber(value, d, schema, path);
                break;
        }

        ValidateCombinators(value, schema, path);
    }

    private static bool TypeMatches(JsonNode value, SchemaNode schema)
    {
        if (schema.IntOrString)
        {
            return JsonTypes.IsString(value, out _) || (value is JsonValue v && JsonTypes.IsNumber(v) && JsonTypes.IsInteger(v));
        }
        return schema.Type switch
        {
            null => true,
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => JsonTypes.IsString(value, out _),
            "integer" => value is JsonValue v && JsonTypes.IsNumber(v) && JsonTypes.IsInteger(v),
            "number" => JsonTypes.IsNumber(value),
            "boolean" => JsonTypes.IsBoolean(value),
            _ => true,
        };
    }

    private void ValidateObject(JsonObject obj, Correlation old, SchemaNode schema, FieldPath path, bool valueOnly)
    {
        var oldObj = old.Value as JsonObject;
        foreach (var name in schema.Required)
        {
            if (!obj.ContainsKey(name)) causes.Add(FieldErrors.Required(path.Child(name)));
        }
        if (schema.MinProperties is { } minP && obj.Count < minP)
        {
            causes.Add(FieldErrors.InvalidText(path, obj.Count.ToString(CultureInfo.InvariantCulture), $"should have at least {minP} properties", quote: false));
        }
        if (schema.MaxProperties is { } maxP && obj.Count > maxP)
        {
            causes.Add(new StatusCause(path.ToString(), CauseReasons.TooMany, $"Too many: {obj.Count}: must have at most {maxP} properties"));
        }

        if (schema.EmbeddedResource) ValidateEmbeddedEnvelope(obj, path);

        foreach (var (key, child) in obj)
        {
            if (causes.Full) return;
            var childOld = oldObj is not null && oldObj.TryGetPropertyValue(key, out var o) ? new Correlation(true, o) : Correlation.None;
            if (schema.Properties is not null && schema.Properties.TryGetValue(key, out var prop))
            {
                Validate(child, childOld, prop, path.Child(key), valueOnly);
            }
            else if (schema.AdditionalProperties is { } mapValue)
            {
                Validate(child, childOld, mapValue, path.Key(key), valueOnly);
            }
            else if (schema.EmbeddedResource && key is "apiVersion" or "kind" or "metadata")
            {
                // checked as the embedded object's envelope
            }
            else if (!valueOnly && !schema.AdditionalPropertiesAllowed && !schema.PreserveUnknownFields)
            {
                causes.Add(FieldErrors.Unknown(path.Child(key)));
            }
        }
    }

    private void ValidateEmbeddedEnvelope(JsonObject obj, FieldPath path)
    {
        foreach (var field in (ReadOnlySpan<string>)["apiVersion", "kind"])
        {
            var v = obj[field];
            if (v is not null && !JsonTypes.IsString(v, out _)) causes.Add(FieldErrors.TypeInvalid(path.Child(field), v, "string"));
            else if (!JsonTypes.IsString(v, out var s) || s.Length == 0) causes.Add(FieldErrors.Required(path.Child(field), "must not be empty"));
        }
        if (obj["metadata"] is { } meta)
        {
            MetadataValidator.Validate(meta, path.Child("metadata"), requireName: false, namespaced: null, options, causes);
        }
    }

    private void ValidateArray(JsonArray arr, Correlation old, SchemaNode schema, FieldPath path, bool valueOnly)
    {
        if (schema.MinItems is { } min && arr.Count < min)
        {
            causes.Add(FieldErrors.InvalidText(path, arr.Count.ToString(CultureInfo.InvariantCulture), $"should have at least {min} items", quote: false));
        }
        if (schema.MaxItems is { } max && arr.Count > max)
        {
            causes.Add(FieldErrors.TooMany(path, arr.Count, max));
        }

        if (schema.Items is { } items)
        {
            var correlation = ListCorrelation.For(old.Value as JsonArray, schema);
            for (var i = 0; i < arr.Count; i++)
            {
                if (causes.Full) return;
                Validate(arr[i], correlation.Find(arr[i]), items, path.Index(i), valueOnly);
            }
        }

        if (schema.ListType == "map" && schema.ListMapKeys.Count > 0)
        {
            CheckMapKeys(arr, schema, path);
        }
        else if (schema.ListType == "set" || schema.UniqueItems)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < arr.Count && !causes.Full; i++)
            {
                if (!seen.Add(JsonTypes.CanonicalKey(arr[i]))) causes.Add(FieldErrors.Duplicate(path.Index(i), arr[i]));
            }
        }
    }

    private void CheckMapKeys(JsonArray arr, SchemaNode schema, FieldPath path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < arr.Count && !causes.Full; i++)
        {
            if (arr[i] is not JsonObject item) continue;
            var key = ListCorrelation.KeyOf(item, schema.ListMapKeys);
            if (!seen.Add(key)) causes.Add(FieldErrors.DuplicateText(path.Index(i), key));
        }
    }

    private void ValidateString(string s, SchemaNode schema, FieldPath path)
    {
        // Lengths are in runes (Unicode scalar values), as in Go; UTF-16 length is an upper bound.
        if (schema.MaxLength is { } max && s.Length > max && CountRunes(s) > max)
        {
            causes.Add(FieldErrors.TooLong(path, max));
        }
        if (schema.MinLength is { } min && (s.Length < min || CountRunes(s) < min))
        {
            causes.Add(FieldErrors.Invalid(path, s, $"should be at least {min} chars long"));
        }
        if (schema.Pattern is { } pattern) CheckPattern(s, pattern, schema, path);
        if (schema.Format is { } format && Formats.Check(format, s) is { } failed)
        {
            causes.Add(FieldErrors.Invalid(path, s, $"must be of type {failed}"));
        }
    }

    private void CheckPattern(string s, string pattern, SchemaNode schema, FieldPath path)
    {
        if (schema.PatternRegex is not { } regex)
        {
            causes.Add(FieldErrors.Invalid(path, s, $"the schema pattern '{pattern}' cannot be evaluated: {schema.PatternError}"));
            return;
        }
        bool matched;
        try
        {
            matched = regex.IsMatch(s);
        }
        catch (RegexMatchTimeoutException)
        {
            causes.Add(FieldErrors.Invalid(path, s, $"matching pattern '{pattern}' took longer than {options.PatternTimeout.TotalMilliseconds} ms"));
            return;
        }
        if (!matched) causes.Add(FieldErrors.Invalid(path, s, $"should match '{pattern}'"));
    }

    private void ValidateNumber(JsonNode value, double d, SchemaNode schema, FieldPath path)
    {
        if (schema.Minimum is { } min && (schema.ExclusiveMinimum ? d <= min : d < min))
        {
            causes.Add(FieldErrors.Invalid(path, value, schema.ExclusiveMinimum
                ? $"should be greater than {Num(min)}"
                : $"should be greater than or equal to {Num(min)}"));
        }
        if (schema.Maximum is { } max && (schema.ExclusiveMaximum ? d >= max : d > max))
        {
            causes.Add(FieldErrors.Invalid(path, value, schema.ExclusiveMaximum
                ? $"should be less than {Num(max)}"
                : $"should be less than or equal to {Num(max)}"));
        }
        if (schema.MultipleOf is { } m && m > 0 && Math.Abs(Math.IEEERemainder(d, m)) > 1e-9 * Math.Max(1, Math.Abs(d)))
        {
            causes.Add(FieldErrors.Invalid(path, value, $"should be a multiple of {Num(m)}"));
        }
    }

    // allOf/anyOf/oneOf/not only add value checks in structural schemas; unknown fields are decided by the main schema.
    private void ValidateCombinators(JsonNode value, SchemaNode schema, FieldPath path)
    {
        foreach (var sub in schema.AllOf)
        {
            Validate(value, Correlation.None, sub, path, valueOnly: true);
        }
        if (schema.AnyOf.Count > 0 && !schema.AnyOf.Any(sub => Passes(value, sub, path)))
        {
            causes.Add(FieldErrors.Invalid(path, value, "must validate at least one schema (anyOf)"));
        }
        if (schema.OneOf.Count > 0)
        {
            var passing = schema.OneOf.Count(sub => Passes(value, sub, path));
            if (passing != 1) causes.Add(FieldErrors.Invalid(path, value, "must validate one and only one schema (oneOf)"));
        }
        if (schema.Not is { } not && Passes(value, not, path))
        {
            causes.Add(FieldErrors.Invalid(path, value, "must not validate the schema (not)"));
        }
    }

    private bool Passes(JsonNode value, SchemaNode sub, FieldPath path)
    {
        var scratch = new CauseList(1);
        new SchemaWalker(options, scratch).Validate(value, Correlation.None, sub, path, valueOnly: true);
        return scratch.Count == 0;
    }

    private static int CountRunes(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }

    private static string Num(double d) => d.ToString(CultureInfo.InvariantCulture);
}
