namespace OpenChoreo.Cel.Runtime;

/// <summary>CEL equality and ordering, including heterogeneous numeric comparison.</summary>
internal static class ValueOps
{
    public static bool IsNumber(CelKind k) => k is CelKind.Int or CelKind.Uint or CelKind.Double;

    public static bool Equal(CelValue a, CelValue b)
    {
        // Values from the host can nest arbitrarily deep; fail cleanly instead of overflowing the stack.
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (a.Kind != b.Kind)
        {
            if (IsNumber(a.Kind) && IsNumber(b.Kind)) return CompareNumbers(a, b) == 0;
            return false;
        }
        switch (a.Kind)
        {
            case CelKind.Null: return true;
            case CelKind.Bool or CelKind.Int or CelKind.Uint or CelKind.Duration: return a._bits == b._bits;
            case CelKind.Double: return a.AsDouble == b.AsDouble;
            case CelKind.String: return string.Equals(a.AsString, b.AsString, StringComparison.Ordinal);
            case CelKind.Bytes: return a.AsBytes.AsSpan().SequenceEqual(b.AsBytes);
            case CelKind.Timestamp: return a._bits == b._bits && a._nanos == b._nanos;
            case CelKind.Type: return a.AsType.Equals(b.AsType);
            case CelKind.Optional:
                if (a.OptionalHasValue != b.OptionalHasValue) return false;
                return !a.OptionalHasValue || Equal(a.OptionalValue, b.OptionalValue);
            case CelKind.List:
                {
                    int n = a.ListCount;
                    if (n != b.ListCount) return false;
                    for (int i = 0; i < n; i++)
                        if (!Equal(a.ListAt(i), b.ListAt(i))) return false;
                    return true;
                }
            case CelKind.Map:
                {
                    if (a.MapCount != b.MapCount) return false;
                    foreach (var (k, v) in a.MapEntries())
                        if (!b.MapTryGet(k, out var bv) || !Equal(v, bv)) return false;
                    return true;
                }
        }
        return false;
    }

    /// <summary>Orders two numbers of any numeric kinds; null when either is NaN.</summary>
    public static int? CompareNumbers(CelValue a, CelValue b)
    {
        switch (a.Kind, b.Kind)
        {
            case (CelKind.Int, CelKind.Int): return a.AsInt.CompareTo(b.AsInt);
            case (CelKind.Uint, CelKind.Uint): return a.AsUInt.CompareTo(b.AsUInt);
            case (CelKind.Int, CelKind.Uint): return a.AsInt < 0 ? -1 : ((ulong)a.AsInt).CompareTo(b.AsUInt);
            case (CelKind.Uint, CelKind.Int): return b.AsInt < 0 ? 1 : a.AsUInt.CompareTo((ulong)b.AsInt);
            case (CelKind.Double, CelKind.Double):
                {
                    double x = a.AsDouble, y = b.AsDouble;
                    if (double.IsNaN(x) || double.IsNaN(y)) return null;
                    return x.CompareTo(y);
                }
            case (CelKind.Double, _): return -CompareIntegral(b, a.AsDouble);
            case (_, CelKind.Double): return CompareIntegral(a, b.AsDouble);
        }
        return null;
    }

    // Integers are compared with doubles after conversion to double (lossy above 2^53), as cel-go does.
    private static int? CompareIntegral(CelValue i, double d)
    {
        if (double.IsNaN(d)) return null;
        double x = i.Kind == CelKind.Int ? i.AsInt : i.AsUInt;
        return x.CompareTo(d);
    }

    /// <summary>Ordering for the relational operators; null when the kinds are not comparable (or NaN is involved).</summary>
    public static int? Compare(CelValue a, CelValue b, out bool comparable)
    {
        comparable = true;
        if (IsNumber(a.Kind) && IsNumber(b.Kind)) return CompareNumbers(a, b);
        if (a.Kind == b.Kind)
        {
            switch (a.Kind)
            {
                case CelKind.Bool: return a.AsBool.CompareTo(b.AsBool);
                case CelKind.String: return CompareStrings(a.AsString, b.AsString);
                case CelKind.Bytes: return a.AsBytes.AsSpan().SequenceCompareTo(b.AsBytes);
                case CelKind.Duration: return a._bits.CompareTo(b._bits);
                case CelKind.Timestamp:
                    {
                        int c = a._bits.CompareTo(b._bits);
                        return c != 0 ? c : a._nanos.CompareTo(b._nanos);
                    }
            }
        }
        comparable = false;
        return null;
    }

    /// <summary>Code-point order (UTF-16 ordinal order differs for characters above U+FFFF).</summary>
    public static int CompareStrings(string x, string y)
    {
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            char cx = x[i], cy = y[i];
            if (cx == cy) continue;
            bool sx = char.IsSurrogate(cx), sy = char.IsSurrogate(cy);
            if (sx && !sy) return cy >= 0xE000 ? 1 : 1;
            if (sy && !sx) return cx >= 0xE000 ? -1 : -1;
            return cx.CompareTo(cy);
        }
        return x.Length.CompareTo(y.Length);
    }
}
