using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>Optional values: optional.of/none/ofNonZeroValue, hasValue, value, or, orValue (or/orValue are lazy, see the compiler).</summary>
internal static class OptionalFunctions
{
    public static void Register(FunctionTable t)
    {
        t.Unary("optional.of", CelValue.OptionalOf);
        t.Nary("optional.none", 0, _ => CelValue.OptionalNone);
        t.Unary("optional.ofNonZeroValue", v => IsZero(v) ? CelValue.OptionalNone : CelValue.OptionalOf(v));
        t.Unary("hasValue", v => v.Kind == CelKind.Optional ? CelValue.FromBool(v.OptionalHasValue) : Err.NoOverload("hasValue", v), CallStyle.Receiver);
        t.Unary("value", v => v.Kind != CelKind.Optional ? Err.NoOverload("value", v)
            : v.OptionalHasValue ? v.OptionalValue : Err.Invalid("optional.none() dereference"), CallStyle.Receiver);
        t.Binary("or", Or, CallStyle.Receiver);
        t.Binary("orValue", OrValue, CallStyle.Receiver);
    }

    public static CelValue Or(CelValue a, CelValue b)
    {
        if (a.Kind != CelKind.Optional || b.Kind != CelKind.Optional) return Err.NoOverload("or", a, b);
        return a.OptionalHasValue ? a : b;
    }

    public static CelValue OrValue(CelValue a, CelValue b)
    {
        if (a.Kind != CelKind.Optional) return Err.NoOverload("orValue", a, b);
        return a.OptionalHasValue ? a.OptionalValue : b;
    }

    public static bool IsZero(CelValue v) => v.Kind switch
    {
        CelKind.Null => true,
        CelKind.Bool => !v.AsBool,
        CelKind.Int or CelKind.Uint => v.AsInt == 0,
        CelKind.Double => v.AsDouble == 0,
        CelKind.String => v.AsString.Length == 0,
        CelKind.Bytes => v.AsBytes.Length == 0,
        CelKind.List => v.ListCount == 0,
        CelKind.Map => v.MapCount == 0,
        CelKind.Duration => v.DurationNanos == 0,
        CelKind.Timestamp => v.TimestampSeconds == 0 && v.TimestampNanos == 0,
        CelKind.Optional => !v.OptionalHasValue,
        _ => false,
    };
}
