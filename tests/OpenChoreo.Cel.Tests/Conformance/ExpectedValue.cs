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

    /// <summary>google.protobuf.Duration/Timestamp inside an Any; other message types are not supported.</summary>
    private static CelValue? ConvertAny(TpMessage any)
    {
        if (any.Fields.Count != 1) return null;
        var (typeUrl, body) = any.Fields[0];
        if (body is not TpMessage m) return null;
        long seconds = m.Scalar("seconds")?.Int ?? 0;
        long nanos = m.Scalar("nanos")?.Int ?? 0;
        return typeUrl switch
        {
            "[type.googleapis.com/google.protobuf.Duration]" =>
                CelValue.FromDuration(TimeSpan.FromTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100))),
            "[type.googleapis.com/google.protobuf.Timestamp]" =>
                CelValue.FromTimestamp(DateTimeOffset.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanos / 100))),
            _ => null,
        };
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
