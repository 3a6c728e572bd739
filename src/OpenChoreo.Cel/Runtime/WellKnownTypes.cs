namespace OpenChoreo.Cel.Runtime;

/// <summary>
/// Construction of the protobuf well-known types that map onto plain CEL values: the wrappers
/// (<c>google.protobuf.Int64Value{value: 1}</c> is 1), Value/Struct/ListValue (JSON), Duration and Timestamp.
/// Other message types are not supported.
/// </summary>
internal static class WellKnownTypes
{
    private static readonly HashSet<string> Names =
    [
        "google.protobuf.BoolValue", "google.protobuf.BytesValue", "google.protobuf.DoubleValue",
        "google.protobuf.FloatValue", "google.protobuf.Int32Value", "google.protobuf.Int64Value",
        "google.protobuf.StringValue", "google.protobuf.UInt32Value", "google.protobuf.UInt64Value",
        "google.protobuf.Value", "google.protobuf.Struct", "google.protobuf.ListValue",
        "google.protobuf.Duration", "google.protobuf.Timestamp",
    ];

    public static bool IsKnown(string name) => Names.Contains(name);

    public static CelValue Build(string type, string[] fields, CelValue[] values)
    {
        CelValue Field(string name, CelValue fallback)
        {
            int i = Array.IndexOf(fields, name);
            return i >= 0 ? values[i] : fallback;
        }

        foreach (var f in fields)
        {
            if (!Allowed(type, f)) return CelValue.FromError(CelErrorKind.NoSuchField, $"no such field '{f}' in {type}");
        }
        switch (type)
        {
            case "google.protobuf.BoolValue": return Expect(Field("value", CelValue.False), CelKind.Bool, type);
            case "google.protobuf.BytesValue": return Expect(Field("value", CelValue.FromBytes([])), CelKind.Bytes, type);
            case "google.protobuf.StringValue": return Expect(Field("value", CelValue.FromString("")), CelKind.String, type);
            case "google.protobuf.DoubleValue": return Expect(Field("value", CelValue.FromDouble(0)), CelKind.Double, type);
            case "google.protobuf.Int64Value": return Expect(Field("value", CelValue.FromInt(0)), CelKind.Int, type);
            case "google.protobuf.UInt64Value": return Expect(Field("value", CelValue.FromUInt(0)), CelKind.Uint, type);
            case "google.protobuf.FloatValue":
                {
                    var v = Expect(Field("value", CelValue.FromDouble(0)), CelKind.Double, type);
                    return v.IsError ? v : CelValue.FromDouble((float)v.AsDouble);
                }
            case "google.protobuf.Int32Value":
                {
                    var v = Expect(Field("value", CelValue.FromInt(0)), CelKind.Int, type);
                    if (v.IsError) return v;
                    return v.AsInt is < int.MinValue or > int.MaxValue ? Err.Overflow("int32 out of range") : v;
                }
            case "google.protobuf.UInt32Value":
                {
                    var v = Expect(Field("value", CelValue.FromUInt(0)), CelKind.Uint, type);
                    if (v.IsError) return v;
                    return v.AsUInt > uint.MaxValue ? Err.Overflow("uint32 out of range") : v;
                }
            case "google.protobuf.ListValue": return Expect(Field("values", CelValue.ListOf([])), CelKind.List, type);
            case "google.protobuf.Struct": return Expect(Field("fields", CelValue.MapOf(new CelMap())), CelKind.Map, type);
            case "google.protobuf.Value":
                {
                    if (fields.Length == 0) return CelValue.Null;
                    if (fields.Length > 1) return Err.Invalid("google.protobuf.Value: only one kind may be set");
                    var v = values[0];
                    return fields[0] switch
                    {
                        "null_value" => CelValue.Null,
                        "number_value" => v.Kind is CelKind.Int or CelKind.Uint ? Functions.Conversions.ToDouble(v) : Expect(v, CelKind.Double, type),
                        "string_value" => Expect(v, CelKind.String, type),
                        "bool_value" => Expect(v, CelKind.Bool, type),
                        "struct_value" => Expect(v, CelKind.Map, type),
                        _ => Expect(v, CelKind.List, type),
                    };
                }
            case "google.protobuf.Duration" or "google.protobuf.Timestamp":
                {
                    var s = Expect(Field("seconds", CelValue.FromInt(0)), CelKind.Int, type);
                    var n = Expect(Field("nanos", CelValue.FromInt(0)), CelKind.Int, type);
                    if (s.IsError) return s;
                    if (n.IsError) return n;
                    if (type == "google.protobuf.Timestamp") return CelValue.Timestamp(s.AsInt, n.AsInt);
                    try { return CelValue.Duration(checked((s.AsInt * 1_000_000_000L) + n.AsInt)); }
                    catch (OverflowException) { return Err.Overflow("duration out of range"); }
                }
        }
        return CelValue.FromError(CelErrorKind.NoSuchOverload, $"unknown type '{type}'");
    }

    private static bool Allowed(string type, string field) => type switch
    {
        "google.protobuf.Value" => field is "null_value" or "number_value" or "string_value" or "bool_value" or "struct_value" or "list_value",
        "google.protobuf.Struct" => field == "fields",
        "google.protobuf.ListValue" => field == "values",
        "google.protobuf.Duration" or "google.protobuf.Timestamp" => field is "seconds" or "nanos",
        _ => field == "value",
    };

    private static CelValue Expect(CelValue v, CelKind kind, string type) =>
        v.Kind == kind ? v : CelValue.FromError(CelErrorKind.NoSuchOverload, $"{type}: field of type {Err.TypeName(v)} where {CelType.Of(kind).Name} is expected");
}

internal sealed class WellKnownStructNode(int offset, string type, string[] fields, Node[] values, bool[] optional) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var names = new List<string>(fields.Length);
        var vals = new List<CelValue>(fields.Length);
        for (int i = 0; i < values.Length; i++)
        {
            var v = values[i].Eval(ref f);
            if (v.IsError) return v;
            if (optional[i])
            {
                if (v.Kind != CelKind.Optional) return Located(Err.NoOverload("optional field", v));
                if (!v.OptionalHasValue) continue;
                v = v.OptionalValue;
            }
            names.Add(fields[i]);
            vals.Add(v);
        }
        return Located(WellKnownTypes.Build(type, [.. names], [.. vals]));
    }
}
