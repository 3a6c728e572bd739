using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using OpenChoreo.Cel.Functions;

namespace OpenChoreo.Cel.Runtime;

/// <summary>Per-evaluation state: the variables, comprehension slots and the remaining cost budget.</summary>
/// <remarks>A ref struct so that the slots can live on the stack, and only for programs that have any.</remarks>
internal ref struct Frame
{
    public IReadOnlyDictionary<string, JsonNode?>? JsonVars;

    /// <summary><see cref="JsonVars"/> when it is a plain dictionary: looked up without interface dispatch.</summary>
    public Dictionary<string, JsonNode?>? JsonDict;
    public IReadOnlyDictionary<string, CelValue>? CelVars;
    public IReadOnlyDictionary<string, object?>? ObjectVars;
    public JsonObject? JsonObjectVars;
    public Span<CelValue> Locals;
    public long Budget;
    public bool Exhausted;
    private byte _dottedKeys; // 0 not yet known, 1 none, 2 some (or unknowable)

    /// <summary>Whether <see cref="MayHaveDottedKeys"/> has already scanned the variable names.</summary>
    public readonly bool DottedKeysKnown => _dottedKeys != 0;

    /// <summary>
    /// Whether any variable name contains a dot, so that <c>a.b</c> could name a variable rather than a field.
    /// Checked once per evaluation; sources that cannot be scanned without allocating count as "some".
    /// </summary>
    public bool MayHaveDottedKeys()
    {
        if (_dottedKeys == 0) _dottedKeys = ScanDottedKeys() ? (byte)2 : (byte)1;
        return _dottedKeys == 2;
    }

    private readonly bool ScanDottedKeys()
    {
        if (JsonDict != null)
        {
            foreach (var k in JsonDict.Keys) if (k.Contains('.')) return true;
            return false;
        }
        switch (JsonVars ?? (object?)CelVars ?? (object?)ObjectVars ?? JsonObjectVars)
        {
            case null: return false;
            case Dictionary<string, JsonNode?> d:
                foreach (var k in d.Keys) if (k.Contains('.')) return true;
                return false;
            case Dictionary<string, CelValue> d:
                foreach (var k in d.Keys) if (k.Contains('.')) return true;
                return false;
            case Dictionary<string, object?> d:
                foreach (var k in d.Keys) if (k.Contains('.')) return true;
                return false;
            case JsonObject o:
                foreach (var kv in o) if (kv.Key.Contains('.')) return true;
                return false;
            default:
                return true;
        }
    }

    /// <summary>Spends <paramref name="cost"/>; false once the budget is gone (and stays gone).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Charge(long cost)
    {
        Budget -= cost;
        if (Budget >= 0) return true;
        Exhausted = true;
        return false;
    }

    /// <summary>Comprehension variable slot (on the stack for up to <see cref="LocalBuffer.Size"/> slots).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref CelValue Local(int slot) => ref Locals[slot];

    public readonly bool TryLookup(string name, out CelValue value)
    {
        // The typed source is set once per evaluation so that lookups need no interface type tests.
        if (JsonDict != null)
        {
            if (JsonDict.TryGetValue(name, out var node)) { value = CelValue.FromJson(node); return true; }
        }
        else if (JsonVars != null)
        {
            if (JsonVars.TryGetValue(name, out var node)) { value = CelValue.FromJson(node); return true; }
        }
        else if (CelVars != null)
        {
            if (CelVars.TryGetValue(name, out value)) return true;
        }
        else if (ObjectVars != null)
        {
            if (ObjectVars.TryGetValue(name, out var obj)) { value = CelValue.FromObject(obj); return true; }
        }
        else if (JsonObjectVars != null)
        {
            if (JsonObjectVars.TryGetPropertyValue(name, out var n2)) { value = CelValue.FromJson(n2); return true; }
        }
        value = default;
        return false;
    }
}

[InlineArray(Size)]
internal struct LocalBuffer
{
    public const int Size = 8;
    private CelValue _first;
}

[InlineArray(8)]
internal struct ArgBuffer
{
    private CelValue _first;
}

internal abstract class Node(int offset)
{
    public int Offset { get; } = offset;

    public abstract CelValue Eval(ref Frame f);

    protected CelValue Located(CelValue v) =>
        v.IsError && v.Error!.Offset < 0 ? CelValue.FromError(v.Error.WithOffset(Offset)) : v;

    protected static CelValue BudgetError() =>
        CelValue.FromError(CelErrorKind.BudgetExceeded, "evaluation cost budget exceeded");

    /// <summary>Charges for the size of what a call built (strings, bytes, lists), so that doubling tricks hit the budget.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static bool ChargeResult(ref Frame f, CelValue r) => r.Kind switch
    {
        CelKind.String => f.Charge(r.AsString.Length >> 3),
        CelKind.Bytes => f.Charge(r.AsBytes.Length >> 3),
        CelKind.List => f.Charge(r.ListCount),
        _ => true,
    };
}

internal sealed class ConstNode(int offset, CelValue value) : Node(offset)
{
    public CelValue Value { get; } = value;

    public override CelValue Eval(ref Frame f) => Value;
}

internal sealed class ErrorNode(int offset, CelErrorKind kind, string message) : Node(offset)
{
    private readonly CelValue _error = CelValue.FromError(new CelError(kind, message, offset));

    public override CelValue Eval(ref Frame f) => _error;
}

internal sealed class LocalNode(int offset, int slot) : Node(offset)
{
    public override CelValue Eval(ref Frame f) => f.Local(slot);
}

/// <summary>
/// A variable reference, possibly qualified (<c>a.b.c</c>): the longest bound name wins, then the remaining names
/// are field selections. Falls back to built-in type names (<c>int</c>, <c>google.protobuf.Timestamp</c>).
/// </summary>
/// <remarks>
/// The chain is resolved at compile time, so the common case (a JSON variable, no dotted variable names) is one
/// dictionary hit and one <see cref="JsonObject"/> hit per field, converting only the final node to a
/// <see cref="CelValue"/>: no intermediate values, no operator dispatch, no allocation.
/// </remarks>
internal sealed class AttributeNode(int offset, (string Name, int Consumed)[] candidates, string[] fields, int[] offsets, string display)
    : Node(offset)
{
    // The last candidate is the bare root name; the others are qualified or container-prefixed.
    private readonly bool _qualified = candidates.Length > 1;
    private readonly string _root = candidates[^1].Name;

    // Per-field index hints for JsonObject lookups (see JsonField); a validated cache, so races are harmless.
    private readonly int[] _hints = new int[fields.Length];

    public override CelValue Eval(ref Frame f)
    {
        if (_qualified && f.JsonDict != null && !f.DottedKeysKnown && candidates.Length <= 3)
        {
            // At most two longer readings (a.b.c: "a.b.c", "a.b"): looking them up costs less than scanning every
            // variable name for a dot, which pays off only for longer chains or several attributes per evaluation.
            for (int c = 0; c < candidates.Length - 1; c++)
            {
                if (f.JsonDict.TryGetValue(candidates[c].Name, out var node)) return SelectJson(node, candidates[c].Consumed);
            }
            if (f.JsonDict.TryGetValue(_root, out var rootNode)) return SelectJson(rootNode, 1);
        }
        else if (!_qualified || !f.MayHaveDottedKeys())
        {
            if (f.JsonDict != null)
            {
                if (f.JsonDict.TryGetValue(_root, out var node)) return SelectJson(node, 1);
            }
            else if (f.JsonObjectVars != null)
            {
                if (f.JsonObjectVars.TryGetPropertyValue(_root, out var node)) return SelectJson(node, 1);
            }
            else if (f.TryLookup(_root, out var root))
            {
                return SelectRest(root, 1);
            }
        }
        else
        {
            foreach (var (name, consumed) in candidates)
            {
                if (f.TryLookup(name, out var v)) return SelectRest(v, consumed);
            }
        }
        foreach (var (name, consumed) in candidates)
        {
            if (CelType.Find(name) is { } t) return SelectRest(CelValue.FromType(t), consumed);
            if (name == "google.protobuf.NullValue.NULL_VALUE") return SelectRest(CelValue.FromInt(0), consumed);
        }
        return CelValue.FromError(new CelError(CelErrorKind.NoSuchVariable, $"no such attribute: undeclared reference to '{display}'", Offset));
    }

    /// <summary>Walks the fields after the root over JSON objects; anything else takes the general path.</summary>
    private CelValue SelectJson(JsonNode? node, int consumed)
    {
        for (int i = consumed; i < fields.Length; i++)
        {
            if (node is not JsonObject o) return SelectRest(CelValue.FromJson(node), i);
            if (!JsonField.TryGet(o, fields[i], ref _hints[i], out node)) return At(i, Err.NoSuchKey(fields[i]));
        }
        return CelValue.FromJson(node);
    }

    private CelValue SelectRest(CelValue v, int consumed)
    {
        for (int i = consumed; i < fields.Length; i++)
        {
            v = Operators.Select(v, fields[i], optional: false);
            if (v.IsError) return At(i, v);
        }
        return v;
    }

    private CelValue At(int i, CelValue v) => CelValue.FromError(v.Error!.WithOffset(offsets[i]));
}

/// <summary>
/// A field chain on a comprehension variable (<c>i.spec.name</c>): the same JSON walk as <see cref="AttributeNode"/>,
/// with each level's position kept for its error.
/// </summary>
internal sealed class LocalSelectNode(int offset, int slot, string[] fields, int[] offsets) : Node(offset)
{
    private readonly int[] _hints = new int[fields.Length];

    public override CelValue Eval(ref Frame f)
    {
        var v = f.Local(slot);
        if (v._ref is JsonObject o)
        {
            JsonNode? node = o;
            for (int i = 0; i < fields.Length; i++)
            {
                if (node is not JsonObject jo) return SelectRest(CelValue.FromJson(node), i);
                if (!JsonField.TryGet(jo, fields[i], ref _hints[i], out node)) return At(i, Err.NoSuchKey(fields[i]));
            }
            return CelValue.FromJson(node);
        }
        return SelectRest(v, 0);
    }

    private CelValue SelectRest(CelValue v, int from)
    {
        for (int i = from; i < fields.Length; i++)
        {
            if (v.IsError) return v;
            v = Operators.Select(v, fields[i], optional: false);
            if (v.IsError) return At(i, v);
        }
        return v;
    }

    private CelValue At(int i, CelValue v) => CelValue.FromError(v.Error!.WithOffset(offsets[i]));
}

internal sealed class SelectNode(int offset, Node operand, string field, bool optional) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var v = operand.Eval(ref f);
        if (v.IsError) return v;
        return Located(Operators.Select(v, field, optional));
    }
}

internal sealed class HasNode(int offset, Node operand, string field) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var v = operand.Eval(ref f);
        if (v.IsError) return v;
        return Located(Operators.Has(v, field));
    }
}

internal sealed class AndNode(int offset, Node left, Node right) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l.Kind == CelKind.Bool && !l.AsBool) return l;
        if (f.Exhausted) return BudgetError();
        var r = right.Eval(ref f);
        if (r.Kind == CelKind.Bool && !r.AsBool) return r;
        if (l.Kind == CelKind.Bool && r.Kind == CelKind.Bool) return CelValue.True;
        if (l.IsError) return l;
        if (r.IsError) return r;
        return Located(Err.NoOverload("_&&_", l, r));
    }
}

internal sealed class OrNode(int offset, Node left, Node right) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var l = left.Eval(ref f);
        if (l.Kind == CelKind.Bool && l.AsBool) return l;
        if (f.Exhausted) return BudgetError();
        var r = right.Eval(ref f);
        if (r.Kind == CelKind.Bool && r.AsBool) return r;
        if (l.Kind == CelKind.Bool && r.Kind == CelKind.Bool) return CelValue.False;
        if (l.IsError) return l;
        if (r.IsError) return r;
        return Located(Err.NoOverload("_||_", l, r));
    }
}

internal sealed class TernaryNode(int offset, Node cond, Node then, Node otherwise) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var c = cond.Eval(ref f);
        if (c.Kind == CelKind.Bool) return c.AsBool ? then.Eval(ref f) : otherwise.Eval(ref f);
        if (c.IsError) return c;
        return Located(Err.NoOverload("_?_:_", c));
    }
}

internal sealed class IndexNode(int offset, Node container, Node index, bool optional) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var c = container.Eval(ref f);
        if (c.IsError) return c;
        var i = index.Eval(ref f);
        if (i.IsError) return i;
        return Located(Operators.Index(c, i, optional));
    }
}

internal sealed class Call1Node(int offset, Func<CelValue, CelValue> fn, Node arg) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var a = arg.Eval(ref f);
        if (a.IsError) return a;
        if (!f.Charge(1)) return BudgetError();
        var r = fn(a);
        return ChargeResult(ref f, r) ? Located(r) : BudgetError();
    }
}

internal sealed class Call2Node(int offset, Func<CelValue, CelValue, CelValue> fn, Node arg0, Node arg1) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var a = arg0.Eval(ref f);
        if (a.IsError) return a;
        var b = arg1.Eval(ref f);
        if (b.IsError) return b;
        if (!f.Charge(1)) return BudgetError();
        var r = fn(a, b);
        return ChargeResult(ref f, r) ? Located(r) : BudgetError();
    }
}

internal sealed class Call3Node(int offset, Func<CelValue, CelValue, CelValue, CelValue> fn, Node arg0, Node arg1, Node arg2) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var a = arg0.Eval(ref f);
        if (a.IsError) return a;
        var b = arg1.Eval(ref f);
        if (b.IsError) return b;
        var c = arg2.Eval(ref f);
        if (c.IsError) return c;
        if (!f.Charge(1)) return BudgetError();
        var r = fn(a, b, c);
        return ChargeResult(ref f, r) ? Located(r) : BudgetError();
    }
}

/// <summary>A call with any number of arguments, resolved among several implementations by argument kinds.</summary>
internal sealed class CallNode(int offset, string name, FunctionImpl[] impls, Node[] args) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        ArgBuffer buffer = default;
        Span<CelValue> values = args.Length <= 8 ? ((Span<CelValue>)buffer)[..args.Length] : new CelValue[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var v = args[i].Eval(ref f);
            if (v.IsError) return v;
            values[i] = v;
        }
        if (!f.Charge(1 + args.Length)) return BudgetError();
        var r = Invoke(name, impls, values);
        return ChargeResult(ref f, r) ? Located(r) : BudgetError();
    }

    public static CelValue Invoke(string name, FunctionImpl[] impls, ReadOnlySpan<CelValue> values)
    {
        foreach (var impl in impls)
        {
            if (impl.Custom is { } custom)
            {
                if (!custom.Matches(values)) continue;
                try
                {
                    return custom.Implementation(values);
                }
                catch (CelEvaluationException e)
                {
                    return CelValue.FromError(e.Error);
                }
                catch (OverflowException e)
                {
                    return CelValue.FromError(CelErrorKind.Overflow, $"{name}: {e.Message}");
                }
                catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException))
                {
                    return CelValue.FromError(CelErrorKind.FunctionFailed, $"{name} failed: {e.Message}");
                }
            }
            CelValue r;
            if (impl.FN != null) r = impl.FN(values);
            else if (impl.F1 != null) r = impl.F1(values[0]);
            else if (impl.F2 != null) r = impl.F2(values[0], values[1]);
            else r = impl.F3!(values[0], values[1], values[2]);
            // A built-in answering "no such overload" lets a later implementation try.
            if (impls.Length > 1 && r.IsError && r.Error!.Kind == CelErrorKind.NoSuchOverload && impl != impls[^1]) continue;
            return r;
        }
        return Err.NoOverload(name, values);
    }
}

internal sealed class ListNode(int offset, Node[] elements, bool[] optional) : Node(offset)
{
    private readonly bool _anyOptional = optional.Contains(true);

    public override CelValue Eval(ref Frame f)
    {
        if (elements.Length == 0) return CelValue.ListOf([]);
        if (!f.Charge(elements.Length)) return BudgetError();
        var items = new CelValue[elements.Length];
        int n = 0;
        for (int i = 0; i < elements.Length; i++)
        {
            var v = elements[i].Eval(ref f);
            if (v.IsError) return v;
            if (_anyOptional && optional[i])
            {
                if (v.Kind != CelKind.Optional) return Located(Err.NoOverload("optional list element", v));
                if (!v.OptionalHasValue) continue;
                v = v.OptionalValue;
            }
            items[n++] = v;
        }
        if (n != items.Length) Array.Resize(ref items, n);
        return CelValue.ListOf(items);
    }
}

internal sealed class MapNode(int offset, Node[] keys, Node[] values, bool[] optional) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        if (!f.Charge(keys.Length)) return BudgetError();
        var map = new CelMap(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            var k = keys[i].Eval(ref f);
            if (k.IsError) return k;
            var v = values[i].Eval(ref f);
            if (v.IsError) return v;
            if (!CelMap.IsValidKey(k))
                return CelValue.FromError(new CelError(CelErrorKind.InvalidArgument, $"unsupported key type: {Err.TypeName(k)}", keys[i].Offset));
            if (optional[i])
            {
                if (v.Kind != CelKind.Optional) return Located(Err.NoOverload("optional map entry", v));
                if (!v.OptionalHasValue) continue;
                v = v.OptionalValue;
            }
            if (!map.Set(k, v))
                return CelValue.FromError(new CelError(CelErrorKind.InvalidArgument, $"map literal has a repeated key: {k}", keys[i].Offset));
        }
        return CelValue.MapOf(map);
    }
}

internal sealed class OptionalOrNode(int offset, Node optional, Node alternative, bool orValue) : Node(offset)
{
    public override CelValue Eval(ref Frame f)
    {
        var o = optional.Eval(ref f);
        if (o.IsError) return o;
        if (o.Kind != CelKind.Optional) return Located(Err.NoOverload(orValue ? "orValue" : "or", o));
        if (o.OptionalHasValue) return orValue ? o.OptionalValue : o;
        var alt = alternative.Eval(ref f);
        if (alt.IsError || orValue) return alt;
        return alt.Kind == CelKind.Optional ? alt : Located(Err.NoOverload("or", o, alt));
    }
}
