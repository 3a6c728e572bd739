using OpenChoreo.Cel.Parsing;

namespace OpenChoreo.Cel.Runtime;

/// <summary>
/// The macros (<c>all</c>, <c>exists</c>, <c>map</c>, <c>filter</c>, the two-variable forms, <c>cel.bind</c>,
/// <c>optMap</c>) evaluated natively over a list or map, one budget unit per iteration.
/// </summary>
internal sealed class ComprehensionNode(
    int offset, ComprehensionKind kind, int slot1, int slot2, Node range, Node body, Node? filter, string macro) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var r = range.Eval(ref f);
        if (r.IsError) return r;
        switch (kind)
        {
            case ComprehensionKind.Bind:
                f.Local(slot1) = r;
                return body.Eval(ref f);
            case ComprehensionKind.OptMap or ComprehensionKind.OptFlatMap:
                {
                    if (r.Kind != CelKind.Optional) return Located(Err.NoOverload(macro, r));
                    if (!r.OptionalHasValue) return r;
                    f.Local(slot1) = r.OptionalValue;
                    var v = body.Eval(ref f);
                    if (v.IsError || kind == ComprehensionKind.OptFlatMap)
                        return v.IsError || v.Kind == CelKind.Optional ? v : Located(Err.NoOverload(macro, v));
                    return CelValue.OptionalOf(v);
                }
        }
        if (r.Kind is not (CelKind.List or CelKind.Map)) return Located(Err.NoOverload(macro, r));
        bool isMap = r.Kind == CelKind.Map;
        bool twoVars = slot2 >= 0;
        CelValue[] keys = isMap ? r.MapKeys() : [];
        int count = isMap ? keys.Length : r.ListCount;

        CelValue error = default;
        bool hasError = false;
        int found = 0;
        List<CelValue>? list = kind is ComprehensionKind.SortBy or ComprehensionKind.Map or ComprehensionKind.MapFilter or ComprehensionKind.Filter
            or ComprehensionKind.TransformList or ComprehensionKind.TransformListFilter ? new List<CelValue>(count) : null;
        CelMap? map = kind is ComprehensionKind.TransformMap or ComprehensionKind.TransformMapFilter or ComprehensionKind.TransformMapEntry
            ? new CelMap(count) : null;

        for (int i = 0; i < count; i++)
        {
            if (!f.Charge(1)) return BudgetError();
            CelValue elem, key;
            if (isMap)
            {
                key = keys[i];
                if (twoVars) r.MapTryGet(key, out elem);
                else elem = key;
            }
            else
            {
                key = CelValue.FromInt(i);
                elem = r.ListAt(i);
            }
            if (twoVars)
            {
                f.Local(slot1) = key;
                f.Local(slot2) = elem;
            }
            else
            {
                f.Local(slot1) = elem;
            }

            if (filter != null)
            {
                var p = filter.Eval(ref f);
                if (p.IsError) return p;
                if (p.Kind != CelKind.Bool) return Located(Err.NoOverload(macro, p));
                if (!p.AsBool) continue;
            }

            var v = body.Eval(ref f);
            switch (kind)
            {
                case ComprehensionKind.All:
                    if (v.Kind == CelKind.Bool) { if (!v.AsBool) return v; }
                    else if (!hasError) { hasError = true; error = v.IsError ? v : Located(Err.NoOverload(macro, v)); }
                    if (f.Exhausted) return BudgetError();
                    break;
                case ComprehensionKind.Exists:
                    if (v.Kind == CelKind.Bool) { if (v.AsBool) return v; }
                    else if (!hasError) { hasError = true; error = v.IsError ? v : Located(Err.NoOverload(macro, v)); }
                    if (f.Exhausted) return BudgetError();
                    break;
                case ComprehensionKind.ExistsOne:
                    if (v.IsError) return v;
                    if (v.Kind != CelKind.Bool) return Located(Err.NoOverload(macro, v));
                    if (v.AsBool) found++;
                    break;
                case ComprehensionKind.Filter:
                    if (v.IsError) return v;
                    if (v.Kind != CelKind.Bool) return Located(Err.NoOverload(macro, v));
                    if (v.AsBool) list!.Add(elem);
                    break;
                case ComprehensionKind.SortBy:
                    if (v.IsError) return v;
                    list!.Add(v);
                    break;
                case ComprehensionKind.Map or ComprehensionKind.MapFilter
                    or ComprehensionKind.TransformList or ComprehensionKind.TransformListFilter:
                    if (v.IsError) return v;
                    list!.Add(v);
                    break;
                case ComprehensionKind.TransformMap or ComprehensionKind.TransformMapFilter:
                    if (v.IsError) return v;
                    map!.Set(key, v);
                    break;
                case ComprehensionKind.TransformMapEntry:
                    {
                        if (v.IsError) return v;
                        if (v.Kind != CelKind.Map) return Located(Err.NoOverload(macro, v));
                        foreach (var (ek, ev) in v.MapEntries())
                        {
                            if (!map!.Set(ek, ev))
                                return Located(CelValue.FromError(CelErrorKind.InvalidArgument, $"insert failed: key {ek} already exists"));
                        }
                        break;
                    }
            }
        }
        switch (kind)
        {
            case ComprehensionKind.All: return hasError ? error : CelValue.True;
            case ComprehensionKind.Exists: return hasError ? error : CelValue.False;
            case ComprehensionKind.ExistsOne: return CelValue.FromBool(found == 1);
        }
        if (kind == ComprehensionKind.SortBy)
        {
            if (isMap) return Located(Err.NoOverload(macro, r));
            return Located(Functions.ListFunctions.Sort(macro, r.ListItems(), [.. list!]));
        }
        if (list != null) return CelValue.ListOf([.. list]);
        return CelValue.MapOf(map!);
    }
}
