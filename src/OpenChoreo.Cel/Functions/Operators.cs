using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>Arithmetic, comparison, membership, indexing and size: the CEL standard operators.</summary>
internal static class Operators
{
    public static CelValue Add(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                {
                    long r = unchecked(a.AsInt + b.AsInt);
                    return ((a.AsInt ^ r) & (b.AsInt ^ r)) < 0 ? Err.Overflow() : CelValue.FromInt(r);
                }
            case (CelKind.Uint, CelKind.Uint):
                {
                    ulong r = unchecked(a.AsUInt + b.AsUInt);
                    return r < a.AsUInt ? Err.Overflow() : CelValue.FromUInt(r);
                }
            case (CelKind.Double, CelKind.Double): return CelValue.FromDouble(a.AsDouble + b.AsDouble);
            case (CelKind.String, CelKind.String): return CelValue.FromString(string.Concat(a.AsString, b.AsString));
            case (CelKind.Bytes, CelKind.Bytes): return CelValue.FromBytes([.. a.AsBytes, .. b.AsBytes]);
            case (CelKind.List, CelKind.List):
                {
                    int n = a.ListCount, m = b.ListCount;
                    if (n == 0) return b;
                    if (m == 0) return a;
                    var r = new CelValue[n + m];
                    for (int i = 0; i < n; i++) r[i] = a.ListAt(i);
                    for (int i = 0; i < m; i++) r[n + i] = b.ListAt(i);
                    return CelValue.ListOf(r);
                }
            case (CelKind.Duration, CelKind.Duration):
                {
                    long r = unchecked(a.DurationNanos + b.DurationNanos);
                    return ((a.DurationNanos ^ r) & (b.DurationNanos ^ r)) < 0 ? Err.Overflow("duration overflow") : CelValue.Duration(r);
                }
            case (CelKind.Timestamp, CelKind.Duration): return AddDuration(a, b.DurationNanos);
            case (CelKind.Duration, CelKind.Timestamp): return AddDuration(b, a.DurationNanos);
        }
        return Err.NoOverload("_+_", a, b);
    }

    private static CelValue AddDuration(CelValue ts, long nanos)
    {
        long secs = nanos / 1_000_000_000L;
        long rem = nanos % 1_000_000_000L;
        return CelValue.Timestamp(ts.TimestampSeconds + secs, ts.TimestampNanos + rem);
    }

    public static CelValue Subtract(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                {
                    long r = unchecked(a.AsInt - b.AsInt);
                    return ((a.AsInt ^ b.AsInt) & (a.AsInt ^ r)) < 0 ? Err.Overflow() : CelValue.FromInt(r);
                }
            case (CelKind.Uint, CelKind.Uint):
                return b.AsUInt > a.AsUInt ? Err.Overflow() : CelValue.FromUInt(a.AsUInt - b.AsUInt);
            case (CelKind.Double, CelKind.Double): return CelValue.FromDouble(a.AsDouble - b.AsDouble);
            case (CelKind.Duration, CelKind.Duration):
                {
                    long x = a.DurationNanos, y = b.DurationNanos, r = unchecked(x - y);
                    return ((x ^ y) & (x ^ r)) < 0 ? Err.Overflow("duration overflow") : CelValue.Duration(r);
                }
            case (CelKind.Timestamp, CelKind.Duration):
                if (b.DurationNanos == long.MinValue) return Err.Overflow("timestamp overflow");
                return AddDuration(a, -b.DurationNanos);
            case (CelKind.Timestamp, CelKind.Timestamp):
                {
                    // Both in years 1..9999, so the second difference fits; the nanosecond total may not.
                    long secs = a.TimestampSeconds - b.TimestampSeconds;
                    long nanos = a.TimestampNanos - b.TimestampNanos;
                    try { return CelValue.Duration(checked((secs * 1_000_000_000L) + nanos)); }
                    catch (OverflowException) { return Err.Overflow("duration overflow"); }
                }
        }
        return Err.NoOverload("_-_", a, b);
    }

    public static CelValue Multiply(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                {
                    long r;
                    try { r = checked(a.AsInt * b.AsInt); }
                    catch (OverflowException) { return Err.Overflow(); }
                    return CelValue.FromInt(r);
                }
            case (CelKind.Uint, CelKind.Uint):
                {
                    ulong r;
                    try { r = checked(a.AsUInt * b.AsUInt); }
                    catch (OverflowException) { return Err.Overflow(); }
                    return CelValue.FromUInt(r);
                }
            case (CelKind.Double, CelKind.Double): return CelValue.FromDouble(a.AsDouble * b.AsDouble);
        }
        return Err.NoOverload("_*_", a, b);
    }

    public static CelValue Divide(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                if (b.AsInt == 0) return Err.DivByZero();
                if (b.AsInt == -1 && a.AsInt == long.MinValue) return Err.Overflow();
                return CelValue.FromInt(a.AsInt / b.AsInt);
            case (CelKind.Uint, CelKind.Uint):
                if (b.AsUInt == 0) return Err.DivByZero();
                return CelValue.FromUInt(a.AsUInt / b.AsUInt);
            case (CelKind.Double, CelKind.Double): return CelValue.FromDouble(a.AsDouble / b.AsDouble);
        }
        return Err.NoOverload("_/_", a, b);
    }

    public static CelValue Modulo(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int):
                if (b.AsInt == 0) return Err.ModByZero();
                if (b.AsInt == -1) return CelValue.FromInt(0);
                return CelValue.FromInt(a.AsInt % b.AsInt);
            case (CelKind.Uint, CelKind.Uint):
                if (b.AsUInt == 0) return Err.ModByZero();
                return CelValue.FromUInt(a.AsUInt % b.AsUInt);
        }
        return Err.NoOverload("_%_", a, b);
    }

    public static CelValue Negate(CelValue a) => a.Kind switch
    {
        CelKind.Int => a.AsInt == long.MinValue ? Err.Overflow() : CelValue.FromInt(-a.AsInt),
        CelKind.Double => CelValue.FromDouble(-a.AsDouble),
        CelKind.Duration => a.DurationNanos == long.MinValue ? Err.Overflow("duration overflow") : CelValue.Duration(-a.DurationNanos),
        _ => Err.NoOverload("-_", a),
    };

    public static CelValue Not(CelValue a) => a.Kind == CelKind.Bool ? CelValue.FromBool(!a.AsBool) : Err.NoOverload("!_", a);

    public static CelValue Equal(CelValue a, CelValue b) => CelValue.FromBool(ValueOps.Equal(a, b));

    public static CelValue NotEqual(CelValue a, CelValue b) => CelValue.FromBool(!ValueOps.Equal(a, b));

    public static CelValue Less(CelValue a, CelValue b) => Relation("_<_", a, b, c => c < 0);

    public static CelValue LessEqual(CelValue a, CelValue b) => Relation("_<=_", a, b, c => c <= 0);

    public static CelValue Greater(CelValue a, CelValue b) => Relation("_>_", a, b, c => c > 0);

    public static CelValue GreaterEqual(CelValue a, CelValue b) => Relation("_>=_", a, b, c => c >= 0);

    private static CelValue Relation(string op, CelValue a, CelValue b, Func<int, bool> test)
    {
        int? c = ValueOps.Compare(a, b, out bool comparable);
        if (!comparable) return Err.NoOverload(op, a, b);
        return CelValue.FromBool(c is { } v && test(v));
    }

    public static CelValue In(CelValue elem, CelValue container)
    {
        switch (container.Kind)
        {
            case CelKind.List:
                {
                    int n = container.ListCount;
                    for (int i = 0; i < n; i++)
                        if (ValueOps.Equal(elem, container.ListAt(i))) return CelValue.True;
                    return CelValue.False;
                }
            case CelKind.Map:
                if (elem.Kind is not (CelKind.String or CelKind.Int or CelKind.Uint or CelKind.Bool or CelKind.Double))
                    return CelValue.False;
                return CelValue.FromBool(container.MapTryGet(elem, out _));
        }
        return Err.NoOverload("@in", elem, container);
    }

    public static CelValue Size(CelValue a) => a.Kind switch
    {
        CelKind.String => CelValue.FromInt(CodePoints(a.AsString)),
        CelKind.Bytes => CelValue.FromInt(a.AsBytes.Length),
        CelKind.List => CelValue.FromInt(a.ListCount),
        CelKind.Map => CelValue.FromInt(a.MapCount),
        _ => Err.NoOverload("size", a),
    };

    public static int CodePoints(string s)
    {
        int n = s.Length;
        foreach (char c in s)
            if (char.IsLowSurrogate(c)) n--;
        return n;
    }

    /// <summary><c>container[index]</c>; <paramref name="optional"/> for <c>[?index]</c>, which yields an optional.</summary>
    public static CelValue Index(CelValue container, CelValue index, bool optional)
    {
        if (container.Kind == CelKind.Optional)
        {
            if (!container.OptionalHasValue) return container;
            container = container.OptionalValue;
            optional = true;
        }
        switch (container.Kind)
        {
            case CelKind.List:
                {
                    long i;
                    switch (index.Kind)
                    {
                        case CelKind.Int: i = index.AsInt; break;
                        case CelKind.Uint: i = index.AsUInt > long.MaxValue ? long.MaxValue : (long)index.AsUInt; break;
                        case CelKind.Double:
                            {
                                double d = index.AsDouble;
                                if (d != Math.Floor(d) || double.IsInfinity(d)) return Err.Invalid($"invalid list index: {d}");
                                i = d >= 9.2233720368547758E18 ? long.MaxValue : d < -9.2233720368547758E18 ? long.MinValue : (long)d;
                                break;
                            }
                        default: return Err.NoOverload("_[_]", container, index);
                    }
                    int n = container.ListCount;
                    if (i < 0 || i >= n) return optional ? CelValue.OptionalNone : Err.Index(i, n);
                    var v = container.ListAt((int)i);
                    return optional ? CelValue.OptionalOf(v) : v;
                }
            case CelKind.Map:
                {
                    if (index.Kind is not (CelKind.String or CelKind.Int or CelKind.Uint or CelKind.Bool or CelKind.Double))
                        return Err.NoOverload("_[_]", container, index);
                    if (container.MapTryGet(index, out var v)) return optional ? CelValue.OptionalOf(v) : v;
                    return optional ? CelValue.OptionalNone : Err.NoSuchKey(index);
                }
        }
        return Err.NoOverload(optional ? "_[?_]" : "_[_]", container, index);
    }

    /// <summary>Field selection <c>operand.field</c>; on optionals it chains (<c>.?field</c> semantics).</summary>
    public static CelValue Select(CelValue operand, string field, bool optional)
    {
        if (operand.Kind == CelKind.Optional)
        {
            if (!operand.OptionalHasValue) return operand;
            operand = operand.OptionalValue;
            optional = true;
        }
        if (operand.Kind == CelKind.Map)
        {
            if (operand.MapTryGet(field, out var v)) return optional ? CelValue.OptionalOf(v) : v;
            return optional ? CelValue.OptionalNone : Err.NoSuchKey(field);
        }
        if (operand.Kind == CelKind.Error) return operand;
        if (operand.Kind == CelKind.Null)
            return CelValue.FromError(CelErrorKind.NoSuchField, $"no such field '{field}': the value is null");
        return CelValue.FromError(CelErrorKind.NoSuchOverload, $"type '{Err.TypeName(operand)}' does not support field selection ('{field}')");
    }

    /// <summary><c>has(operand.field)</c>.</summary>
    public static CelValue Has(CelValue operand, string field)
    {
        if (operand.Kind == CelKind.Optional)
        {
            if (!operand.OptionalHasValue) return CelValue.False;
            operand = operand.OptionalValue;
        }
        if (operand.Kind == CelKind.Map) return CelValue.FromBool(operand.MapTryGet(field, out _));
        if (operand.Kind == CelKind.Error) return operand;
        return CelValue.FromError(CelErrorKind.NoSuchOverload, $"has() cannot test field '{field}' on type '{Err.TypeName(operand)}'");
    }
}
