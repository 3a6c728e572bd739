using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>The lists and sets extensions (<c>sortBy</c> is a macro, see the comprehension node).</summary>
internal static class ListFunctions
{
    public static void Register(FunctionTable t)
    {
        t.Ternary("slice", Slice, CallStyle.Receiver);
        t.Unary("flatten", l => Flatten(l, CelValue.FromInt(1)), CallStyle.Receiver);
        t.Binary("flatten", Flatten, CallStyle.Receiver);
        t.Unary("distinct", Distinct, CallStyle.Receiver);
        t.Unary("reverse", l => l.Kind == CelKind.List ? CelValue.ListOf([.. l.ListItems().Reverse()]) : Err.NoOverload("reverse", l), CallStyle.Receiver);
        t.Unary("sort", l => l.Kind == CelKind.List ? Sort("sort", l.ListItems(), l.ListItems()) : Err.NoOverload("sort", l), CallStyle.Receiver);
        t.Unary("first", l => l.Kind == CelKind.List ? (l.ListCount == 0 ? CelValue.OptionalNone : CelValue.OptionalOf(l.ListAt(0))) : Err.NoOverload("first", l), CallStyle.Receiver);
        t.Unary("last", l => l.Kind == CelKind.List ? (l.ListCount == 0 ? CelValue.OptionalNone : CelValue.OptionalOf(l.ListAt(l.ListCount - 1))) : Err.NoOverload("last", l), CallStyle.Receiver);
        t.Unary("lists.range", Range);

        // The Kubernetes list library (used by CRD validation rules).
        t.Unary("isSorted", l => l.Kind == CelKind.List ? IsSorted(l.ListItems()) : Err.NoOverload("isSorted", l), CallStyle.Receiver);
        t.Unary("sum", Sum, CallStyle.Receiver);
        t.Unary("min", l => l.Kind == CelKind.List ? Extreme("min", l.ListItems(), wantMax: false) : Err.NoOverload("min", l), CallStyle.Receiver);
        t.Unary("max", l => l.Kind == CelKind.List ? Extreme("max", l.ListItems(), wantMax: true) : Err.NoOverload("max", l), CallStyle.Receiver);
        t.Binary("indexOf", (l, v) => l.Kind == CelKind.List ? CelValue.FromInt(Array.FindIndex(l.ListItems(), e => ValueOps.Equal(e, v))) : Err.NoOverload("indexOf", l, v), CallStyle.Receiver);
        t.Binary("lastIndexOf", (l, v) => l.Kind == CelKind.List ? CelValue.FromInt(Array.FindLastIndex(l.ListItems(), e => ValueOps.Equal(e, v))) : Err.NoOverload("lastIndexOf", l, v), CallStyle.Receiver);
        t.Binary("sets.contains", (a, b) => Sets("sets.contains", a, b, (x, y) => y.All(e => ContainsValue(x, e))));
        t.Binary("sets.equivalent", (a, b) => Sets("sets.equivalent", a, b, (x, y) => y.All(e => ContainsValue(x, e)) && x.All(e => ContainsValue(y, e))));
        t.Binary("sets.intersects", (a, b) => Sets("sets.intersects", a, b, (x, y) => y.Any(e => ContainsValue(x, e))));
    }

    private static bool ContainsValue(CelValue[] list, CelValue v)
    {
        foreach (var item in list)
            if (ValueOps.Equal(item, v)) return true;
        return false;
    }

    private static CelValue Sets(string name, CelValue a, CelValue b, Func<CelValue[], CelValue[], bool> f) =>
        a.Kind == CelKind.List && b.Kind == CelKind.List ? CelValue.FromBool(f(a.ListItems(), b.ListItems())) : Err.NoOverload(name, a, b);

    private static CelValue Slice(CelValue l, CelValue s, CelValue e)
    {
        if (l.Kind != CelKind.List || s.Kind != CelKind.Int || e.Kind != CelKind.Int) return Err.NoOverload("slice", [l, s, e]);
        long start = s.AsInt, end = e.AsInt, n = l.ListCount;
        if (start < 0 || end < 0) return Err.Invalid($"cannot slice({start}, {end}), negative indexes not supported");
        if (start > end) return Err.Invalid($"cannot slice({start}, {end}), start index must be less than or equal to end index");
        if (end > n) return Err.Invalid($"cannot slice({start}, {end}), list is length {n}");
        var r = new CelValue[end - start];
        for (long i = start; i < end; i++) r[i - start] = l.ListAt((int)i);
        return CelValue.ListOf(r);
    }

    private static CelValue Flatten(CelValue l, CelValue depth)
    {
        if (l.Kind != CelKind.List || depth.Kind != CelKind.Int) return Err.NoOverload("flatten", l, depth);
        if (depth.AsInt < 0) return Err.Invalid("level must be non-negative");
        var result = new List<CelValue>();
        Flatten(l, depth.AsInt, result);
        return CelValue.ListOf([.. result]);
    }

    private static void Flatten(CelValue l, long depth, List<CelValue> into)
    {
        int n = l.ListCount;
        for (int i = 0; i < n; i++)
        {
            var item = l.ListAt(i);
            if (item.Kind == CelKind.List && depth > 0) Flatten(item, Math.Min(depth - 1, 64), into);
            else into.Add(item);
        }
    }

    private static CelValue Distinct(CelValue l)
    {
        if (l.Kind != CelKind.List) return Err.NoOverload("distinct", l);
        var result = new List<CelValue>();
        foreach (var item in l.ListItems())
        {
            bool seen = false;
            foreach (var r in result)
                if (ValueOps.Equal(r, item)) { seen = true; break; }
            if (!seen) result.Add(item);
        }
        return CelValue.ListOf([.. result]);
    }

    /// <summary>Stable sort of <paramref name="items"/> by <paramref name="keys"/>; keys must be mutually comparable.</summary>
    public static CelValue Sort(string name, CelValue[] items, CelValue[] keys)
    {
        if (keys.Length == 0) return CelValue.ListOf([]);
        var kind = keys[0].Kind;
        foreach (var k in keys)
        {
            if (k.Kind != kind || ValueOps.Compare(k, keys[0], out bool ok) is null && !ok || k.Kind is CelKind.List or CelKind.Map or CelKind.Null)
                return Err.Invalid($"{name}: list elements must have the same comparable type");
        }
        var idx = Enumerable.Range(0, items.Length).ToArray();
        var ordered = idx.OrderBy(i => keys[i], Comparer<CelValue>.Create((a, b) => ValueOps.Compare(a, b, out _) ?? 0)).ToArray();
        return CelValue.ListOf([.. ordered.Select(i => items[i])]);
    }

    private static CelValue IsSorted(CelValue[] items)
    {
        for (int i = 1; i < items.Length; i++)
        {
            int? c = ValueOps.Compare(items[i - 1], items[i], out bool ok);
            if (!ok || items[i].Kind != items[0].Kind) return Err.Invalid("isSorted: list elements must have the same comparable type");
            if (c > 0) return CelValue.False;
        }
        return CelValue.True;
    }

    private static CelValue Sum(CelValue l)
    {
        if (l.Kind != CelKind.List) return Err.NoOverload("sum", l);
        var items = l.ListItems();
        if (items.Length == 0) return CelValue.FromInt(0);
        var acc = items[0];
        for (int i = 1; i < items.Length; i++)
        {
            acc = Operators.Add(acc, items[i]);
            if (acc.IsError) return acc;
        }
        return ValueOps.IsNumber(acc.Kind) || acc.Kind == CelKind.Duration ? acc : Err.NoOverload("sum", l);
    }

    private static CelValue Extreme(string name, CelValue[] items, bool wantMax)
    {
        if (items.Length == 0) return Err.Invalid($"{name}: the list is empty");
        var best = items[0];
        for (int i = 1; i < items.Length; i++)
        {
            int? c = ValueOps.Compare(items[i], best, out bool ok);
            if (!ok) return Err.NoOverload(name, items[i], best);
            if (wantMax ? c > 0 : c < 0) best = items[i];
        }
        return best;
    }

    private static CelValue Range(CelValue n)
    {
        if (n.Kind != CelKind.Int) return Err.NoOverload("lists.range", n);
        if (n.AsInt < 0) return Err.Invalid("lists.range: negative length");
        if (n.AsInt > 10_000_000) return CelValue.FromError(CelErrorKind.BudgetExceeded, "lists.range: length exceeds the limit of 10000000");
        var r = new CelValue[n.AsInt];
        for (int i = 0; i < r.Length; i++) r[i] = CelValue.FromInt(i);
        return CelValue.ListOf(r);
    }
}
