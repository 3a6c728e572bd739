using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>The math extension: greatest/least, rounding, abs/sign, NaN/Inf tests and bit operations.</summary>
internal static class MathFunctions
{
    public static void Register(FunctionTable t)
    {
        t.Nary("math.greatest", -1, args => Extreme("math.greatest", args, wantGreater: true), minArity: 1);
        t.Nary("math.least", -1, args => Extreme("math.least", args, wantGreater: false), minArity: 1);
        t.Unary("math.ceil", v => OnDouble("math.ceil", v, Math.Ceiling));
        t.Unary("math.floor", v => OnDouble("math.floor", v, Math.Floor));
        t.Unary("math.round", v => OnDouble("math.round", v, d => Math.Round(d, MidpointRounding.AwayFromZero)));
        t.Unary("math.trunc", v => OnDouble("math.trunc", v, Math.Truncate));
        t.Unary("math.sqrt", v => v.Kind switch
        {
            CelKind.Double => CelValue.FromDouble(Math.Sqrt(v.AsDouble)),
            CelKind.Int => CelValue.FromDouble(Math.Sqrt(v.AsInt)),
            CelKind.Uint => CelValue.FromDouble(Math.Sqrt(v.AsUInt)),
            _ => Err.NoOverload("math.sqrt", v),
        });
        t.Unary("math.abs", v => v.Kind switch
        {
            CelKind.Int => v.AsInt == long.MinValue ? Err.Overflow() : CelValue.FromInt(Math.Abs(v.AsInt)),
            CelKind.Uint => v,
            CelKind.Double => CelValue.FromDouble(Math.Abs(v.AsDouble)),
            _ => Err.NoOverload("math.abs", v),
        });
        t.Unary("math.sign", v => v.Kind switch
        {
            CelKind.Int => CelValue.FromInt(Math.Sign(v.AsInt)),
            CelKind.Uint => CelValue.FromUInt(v.AsUInt == 0 ? 0UL : 1UL),
            CelKind.Double => CelValue.FromDouble(double.IsNaN(v.AsDouble) ? double.NaN : Math.Sign(v.AsDouble)),
            _ => Err.NoOverload("math.sign", v),
        });
        t.Unary("math.isNaN", v => v.Kind == CelKind.Double ? CelValue.FromBool(double.IsNaN(v.AsDouble)) : Err.NoOverload("math.isNaN", v));
        t.Unary("math.isInf", v => v.Kind == CelKind.Double ? CelValue.FromBool(double.IsInfinity(v.AsDouble)) : Err.NoOverload("math.isInf", v));
        t.Unary("math.isFinite", v => v.Kind == CelKind.Double ? CelValue.FromBool(double.IsFinite(v.AsDouble)) : Err.NoOverload("math.isFinite", v));
        t.Binary("math.bitAnd", (a, b) => Bits("math.bitAnd", a, b, (x, y) => x & y));
        t.Binary("math.bitOr", (a, b) => Bits("math.bitOr", a, b, (x, y) => x | y));
        t.Binary("math.bitXor", (a, b) => Bits("math.bitXor", a, b, (x, y) => x ^ y));
        t.Unary("math.bitNot", v => v.Kind switch
        {
            CelKind.Int => CelValue.FromInt(~v.AsInt),
            CelKind.Uint => CelValue.FromUInt(~v.AsUInt),
            _ => Err.NoOverload("math.bitNot", v),
        });
        t.Binary("math.bitShiftLeft", (a, n) => Shift("math.bitShiftLeft", a, n, left: true));
        t.Binary("math.bitShiftRight", (a, n) => Shift("math.bitShiftRight", a, n, left: false));
    }

    private static CelValue OnDouble(string name, CelValue v, Func<double, double> f) =>
        v.Kind == CelKind.Double ? CelValue.FromDouble(f(v.AsDouble)) : Err.NoOverload(name, v);

    private static CelValue Bits(string name, CelValue a, CelValue b, Func<ulong, ulong, ulong> f) => (a.Kind, b.Kind) switch
    {
        (CelKind.Int, CelKind.Int) => CelValue.FromInt((long)f((ulong)a.AsInt, (ulong)b.AsInt)),
        (CelKind.Uint, CelKind.Uint) => CelValue.FromUInt(f(a.AsUInt, b.AsUInt)),
        _ => Err.NoOverload(name, a, b),
    };

    /// <summary>Shifts are logical (zero-filling) for int too; shifting by 64 or more yields 0.</summary>
    private static CelValue Shift(string name, CelValue a, CelValue n, bool left)
    {
        if (n.Kind != CelKind.Int || a.Kind is not (CelKind.Int or CelKind.Uint)) return Err.NoOverload(name, a, n);
        long s = n.AsInt;
        if (s < 0) return Err.Invalid($"{name}: negative shift count {s}");
        ulong bits = a.Kind == CelKind.Int ? (ulong)a.AsInt : a.AsUInt;
        ulong r = s >= 64 ? 0 : left ? bits << (int)s : bits >> (int)s;
        return a.Kind == CelKind.Int ? CelValue.FromInt((long)r) : CelValue.FromUInt(r);
    }

    private static CelValue Extreme(string name, ReadOnlySpan<CelValue> args, bool wantGreater)
    {
        CelValue[] items;
        if (args.Length == 1 && args[0].Kind == CelKind.List)
        {
            items = args[0].ListItems();
            if (items.Length == 0) return Err.Invalid($"{name}: the list is empty");
        }
        else
        {
            items = args.ToArray();
        }
        CelValue best = default;
        for (int i = 0; i < items.Length; i++)
        {
            var v = items[i];
            if (!ValueOps.IsNumber(v.Kind)) return Err.NoOverload(name, args);
            if (i == 0) { best = v; continue; }
            int? c = ValueOps.CompareNumbers(v, best);
            if (c == null)
            {
                // NaN wins, as in cel-go (comparisons with NaN are false, and NaN propagates).
                if (v.Kind == CelKind.Double && double.IsNaN(v.AsDouble)) best = v;
                continue;
            }
            if (wantGreater ? c > 0 : c < 0) best = v;
        }
        return best;
    }
}
