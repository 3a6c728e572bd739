namespace OpenChoreo.Cel.Tests.Conformance;

/// <summary>cel.expr.Value (textproto) → <see cref="CelValue"/>, and the strict comparison used to check results.</summary>
internal static class ExpectedValue
{
    /// <summary>The value, or null when it needs protobuf message types or enums.</summary>
    public static CelValue? Convert(TpMessage v)
    {
        if (v.Fields.Count == 0) return null;
        var (name, raw) = v.Fields[0];
        var s = raw as TpScalar;
        switch (name)
        {
            case "null_value": return CelValue.Null;
            case "bool_value": return CelValue.FromBool(s!.Text == "true");
            case "int64_value": return CelValue.FromInt(s!.Int);
            case "uint64_value": return CelValue.FromUInt(s!.UInt);
            case "double_value": return CelValue.FromDouble(s!.Double);
            case "string_value": return CelValue.FromString(s!.Text);
            case "bytes_value": return CelValue.FromBytes(s!.Bytes!);
            case "type_value":
                {
                    var probe = CelEnvironment.Default.Compile(s!.Text).Evaluate();
                    return probe.Kind == CelKind.Type ? probe : null;
                }
            case "list_value":
                {
                    var items = new List<CelValue>();
                    foreach (var item in ((TpMessage)raw).Msgs("values"))
                    {
                        if (Convert(item) is not { } c) return null;
                        items.Add(c);
                    }
                    return CelValue.FromList(items);
                }
            case "map_value":
                {
                    var entries = new List<KeyValuePair<CelValue, CelValue>>();
                    foreach (var e in ((TpMessage)raw).Msgs("entries"))
                    {
                        if (Convert(e.Msg("key")!) is not { } k || Convert(e.Msg("value")!) is not { } val) return null;
                        entries.Add(new(k, val));
                    }
                    return CelValue.FromMap(entries);
                }
            case "object_value":
                return ConvertAny((TpMessage)raw);
        }
        return null;
    }

    /// <summary>
    /// A well-known type inside an Any: Duration, Timestamp, the scalar wrappers and the JSON types (Value, Struct,
    /// ListValue), which CEL treats as plain values. Any other message type is not supported (null: skipped).
    /// </summary>
    private static CelValue? ConvertAny(TpMessage any)
    {
        if (any.Fields.Count != 1) return null;
        var (typeUrl, body) = any.Fields[0];
        if (body is not TpMessage m) return null;
        const string prefix = "[type.googleapis.com/google.protobuf.";
        if (!typeUrl.StartsWith(prefix, StringComparison.Ordinal) || !typeUrl.EndsWith(']')) return null;
        long seconds = m.Scalar("seconds")?.Int ?? 0;
        long nanos = m.Scalar("nanos")?.Int ?? 0;
        var wrapped = m.Scalar("value");
        return typeUrl[prefix.Length..^1] switch
        {
            "Duration" => CelValue.FromDuration(TimeSpan.FromTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100))),
            "Timestamp" => CelValue.FromTimestamp(DateTimeOffset.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100))),
            // Wrappers: an absent value field is the type's zero value, as in protobuf.
            "Int32Value" or "Int64Value" => CelValue.FromInt(wrapped?.Int ?? 0),
            "UInt32Value" or "UInt64Value" => CelValue.FromUInt(wrapped?.UInt ?? 0),
            "FloatValue" => CelValue.FromDouble((float)(wrapped?.Double ?? 0)),
            "DoubleValue" => CelValue.FromDouble(wrapped?.Double ?? 0),
            "BoolValue" => CelValue.FromBool(wrapped?.Text == "true"),
            "StringValue" => CelValue.FromString(wrapped?.Text ?? ""),
            "BytesValue" => CelValue.FromBytes(wrapped?.Bytes ?? []),
            "Value" => JsonValueOf(m),
            "Struct" => StructOf(m),
            "ListValue" => ListValueOf(m),
            _ => null,
        };
    }

    /// <summary>google.protobuf.Value: exactly one of its kinds is set.</summary>
    private static CelValue? JsonValueOf(TpMessage v)
    {
        if (v.Fields.Count != 1) return null;
        var (name, raw) = v.Fields[0];
        var s = raw as TpScalar;
        return name switch
        {
            "null_value" => CelValue.Null,
            "number_value" => CelValue.FromDouble(s!.Double),
            "string_value" => CelValue.FromString(s!.Text),
            "bool_value" => CelValue.FromBool(s!.Text == "true"),
            "struct_value" => StructOf((TpMessage)raw),
            "list_value" => ListValueOf((TpMessage)raw),
            _ => null,
        };
    }

    private static CelValue? StructOf(TpMessage m)
    {
        var entries = new List<KeyValuePair<CelValue, CelValue>>();
        foreach (var f in m.Msgs("fields"))
        {
            if (f.Str("key") is not { } key || f.Msg("value") is not { } value || JsonValueOf(value) is not { } v) return null;
            entries.Add(new(CelValue.FromString(key), v));
        }
        return CelValue.FromMap(entries);
    }

    private static CelValue? ListValueOf(TpMessage m)
    {
        var items = new List<CelValue>();
        foreach (var item in m.Msgs("values"))
        {
            if (JsonValueOf(item) is not { } v) return null;
            items.Add(v);
        }
        return CelValue.FromList(items);
    }

    /// <summary>Equality that also requires equal kinds (1 and 1.0 differ) and treats NaN as equal to NaN.</summary>
    public static bool StrictEqual(CelValue a, CelValue b)
    {
        if (a.Kind != b.Kind) return false;
        switch (a.Kind)
        {
            case CelKind.Double:
                return a.AsDouble.Equals(b.AsDouble);
            case CelKind.List:
                {
                    var x = a.ToJsonListItems();
                    var y = b.ToJsonListItems();
                    return x.Length == y.Length && x.Zip(y).All(p => StrictEqual(p.First, p.Second));
                }
            case CelKind.Map:
                {
                    var xa = a.MapEntriesForTest();
                    var yb = b.MapEntriesForTest();
                    if (xa.Count != yb.Count) return false;
                    foreach (var (k, v) in xa)
                    {
                        var match = yb.FirstOrDefault(e => e.Key.Kind == k.Kind && StrictEqual(e.Key, k));
                        if (match.Key.Kind != k.Kind || !yb.Any(e => e.Key.Kind == k.Kind && StrictEqual(e.Key, k)) || !StrictEqual(v, match.Value))
                            return false;
                    }
                    return true;
                }
            default:
                return CelEnvironment.Default.Compile("a == b")
                    .Evaluate(new Dictionary<string, CelValue> { ["a"] = a, ["b"] = b }) is { Kind: CelKind.Bool, AsBool: true };
        }
    }

    private static CelValue[] ToJsonListItems(this CelValue v) => v.ListItems();

    private static List<KeyValuePair<CelValue, CelValue>> MapEntriesForTest(this CelValue v) => [.. v.MapEntries()];
}
