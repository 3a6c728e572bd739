using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Cel;

/// <summary>
/// A CEL value. A small struct: numbers, booleans and null carry no heap object; strings, lists and maps point at
/// their data. Lists and maps coming from JSON input stay as the caller's <see cref="JsonArray"/> / <see cref="JsonObject"/>
/// (read without copying; never modified). Errors are values too (<see cref="IsError"/>), as CEL requires.
/// </summary>
public readonly partial struct CelValue
{
    // Payload: strings/bytes/lists/maps/types/optionals/errors in _ref; numbers and bools in _bits;
    // timestamps as epoch seconds in _bits and nanoseconds in _nanos; durations as nanoseconds in _bits.
    internal readonly object? _ref;
    internal readonly long _bits;
    internal readonly int _nanos;
    private readonly CelKind _kind;

    internal CelValue(CelKind kind, long bits, object? reference, int nanos = 0)
    {
        _kind = kind;
        _bits = bits;
        _ref = reference;
        _nanos = nanos;
    }

    public CelKind Kind => _kind;

    public bool IsError => _kind == CelKind.Error;

    /// <summary>The error, when <see cref="IsError"/>; otherwise null.</summary>
    public CelError? Error => _kind == CelKind.Error ? (CelError)_ref! : null;

    public static CelValue Null => default;
    public static readonly CelValue True = new(CelKind.Bool, 1, null);
    public static readonly CelValue False = new(CelKind.Bool, 0, null);

    public static CelValue FromBool(bool b) => b ? True : False;

    public static CelValue FromInt(long v) => new(CelKind.Int, v, null);

    public static CelValue FromUInt(ulong v) => new(CelKind.Uint, unchecked((long)v), null);

    public static CelValue FromDouble(double v) => new(CelKind.Double, BitConverter.DoubleToInt64Bits(v), null);

    public static CelValue FromString(string s) => new(CelKind.String, 0, s ?? throw new ArgumentNullException(nameof(s)));

    /// <summary>Wraps <paramref name="bytes"/> without copying; the array must not be modified afterwards.</summary>
    public static CelValue FromBytes(byte[] bytes) => new(CelKind.Bytes, 0, bytes ?? throw new ArgumentNullException(nameof(bytes)));

    public static CelValue FromList(IEnumerable<CelValue> items) => new(CelKind.List, 0, items.ToArray());

    internal static CelValue ListOf(CelValue[] items) => new(CelKind.List, 0, items);

    public static CelValue FromMap(IEnumerable<KeyValuePair<CelValue, CelValue>> entries)
    {
        var m = new CelMap();
        foreach (var (k, v) in entries)
        {
            if (!CelMap.IsValidKey(k)) throw new ArgumentException($"a map key cannot be of kind {k.Kind}", nameof(entries));
            m.Set(k, v);
        }
        return new CelValue(CelKind.Map, 0, m);
    }

    internal static CelValue MapOf(CelMap map) => new(CelKind.Map, 0, map);

    public static CelValue FromType(CelType type) => new(CelKind.Type, 0, type);

    public static CelValue FromError(CelErrorKind kind, string message) => new(CelKind.Error, 0, new CelError(kind, message));

    internal static CelValue FromError(CelError error) => new(CelKind.Error, 0, error);

    public bool AsBool => _bits != 0;

    public long AsInt => _bits;

    public ulong AsUInt => unchecked((ulong)_bits);

    public double AsDouble => BitConverter.Int64BitsToDouble(_bits);

    public string AsString => (string)_ref!;

    public byte[] AsBytes => (byte[])_ref!;

    public CelType AsType => (CelType)_ref!;

    // ---- Lists -------------------------------------------------------------------------------------------

    internal int ListCount => _ref switch
    {
        CelValue[] a => a.Length,
        JsonArray j => j.Count,
        _ => 0,
    };

    internal CelValue ListAt(int i) => _ref switch
    {
        CelValue[] a => a[i],
        JsonArray j => FromJson(j[i]),
        _ => default,
    };

    /// <summary>The list elements (a copy for JSON-backed lists).</summary>
    internal CelValue[] ListItems()
    {
        if (_ref is CelValue[] a) return a;
        var j = (JsonArray)_ref!;
        var r = new CelValue[j.Count];
        for (int i = 0; i < r.Length; i++) r[i] = FromJson(j[i]);
        return r;
    }

    // ---- Maps --------------------------------------------------------------------------------------------

    internal int MapCount => _ref switch
    {
        CelMap m => m.Count,
        JsonObject o => o.Count,
        _ => 0,
    };

    internal bool MapTryGet(CelValue key, out CelValue value)
    {
        switch (_ref)
        {
            case CelMap m:
                return m.TryGet(key, out value);
            case JsonObject o when key.Kind == CelKind.String:
                if (o.TryGetPropertyValue(key.AsString, out var node))
                {
                    value = FromJson(node);
                    return true;
                }
                break;
        }
        value = default;
        return false;
    }

    internal bool MapTryGet(string key, out CelValue value)
    {
        switch (_ref)
        {
            case JsonObject o:
                if (o.TryGetPropertyValue(key, out var node))
                {
                    value = FromJson(node);
                    return true;
                }
                break;
            case CelMap m:
                return m.TryGet(FromString(key), out value);
        }
        value = default;
        return false;
    }

    internal IEnumerable<KeyValuePair<CelValue, CelValue>> MapEntries()
    {
        switch (_ref)
        {
            case CelMap m:
                foreach (var kv in m.Entries) yield return kv;
                break;
            case JsonObject o:
                foreach (var kv in o) yield return new(FromString(kv.Key), FromJson(kv.Value));
                break;
        }
    }

    internal CelValue[] MapKeys()
    {
        if (_ref is CelMap m) return m.KeyArray();
        var o = (JsonObject)_ref!;
        var r = new CelValue[o.Count];
        int i = 0;
        foreach (var kv in o) r[i++] = FromString(kv.Key);
        return r;
    }

    // ---- Optionals ----------------------------------------------------------------------------------------

    private static readonly CelValue NoneValue = new(CelKind.Optional, 0, null);

    public static CelValue OptionalNone => NoneValue;

    public static CelValue OptionalOf(CelValue value) => new(CelKind.Optional, 1, new StrongBox<CelValue>(value));

    internal bool OptionalHasValue => _bits != 0;

    internal CelValue OptionalValue => ((StrongBox<CelValue>)_ref!).Value;

    // ---- JSON in ------------------------------------------------------------------------------------------

    /// <summary>
    /// Views a JSON node as a CEL value without copying containers. Integral numbers written without a fraction or
    /// exponent become int (uint above the int64 range), other numbers double.
    /// </summary>
    public static CelValue FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null: return Null;
            case JsonObject o: return new CelValue(CelKind.Map, 0, o);
            case JsonArray a: return new CelValue(CelKind.List, 0, a);
            case JsonValue v: return FromJsonValue(v);
            default: return Null;
        }
    }

    private static CelValue FromJsonValue(JsonValue v)
    {
        // Dispatch on the kind first: TryGetValue<string> on a number-backed JsonValue boxes the number.
        switch (v.GetValueKind())
        {
            case JsonValueKind.True: return True;
            case JsonValueKind.False: return False;
            case JsonValueKind.Null: return Null;
            case JsonValueKind.String:
                if (v.TryGetValue(out string? s)) return FromString(s!);
                break;
            case JsonValueKind.Number:
                if (v.TryGetValue(out long l)) return FromInt(l);
                // Parsed JSON: decide int/uint/double from the number's text, not from what it converts to.
                if (v.TryGetValue(out JsonElement e)) return FromJsonElement(e);
                if (v.TryGetValue(out double d)) return FromDouble(d);
                if (v.TryGetValue(out int i)) return FromInt(i);
                if (v.TryGetValue(out ulong ul)) return ul <= long.MaxValue ? FromInt((long)ul) : FromUInt(ul);
                break;
        }
        return FromJsonElement(JsonSerializer.SerializeToElement(v));
    }

    private static CelValue FromJsonElement(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: return FromString(e.GetString()!);
            case JsonValueKind.True: return True;
            case JsonValueKind.False: return False;
            case JsonValueKind.Null or JsonValueKind.Undefined: return Null;
            case JsonValueKind.Number:
                {
                    string raw = e.GetRawText();
                    bool integral = raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
                    if (integral && e.TryGetInt64(out long l)) return FromInt(l);
                    if (integral && e.TryGetUInt64(out ulong u)) return FromUInt(u);
                    return FromDouble(e.GetDouble());
                }
            case JsonValueKind.Array:
                return FromJson(JsonArray.Create(e));
            case JsonValueKind.Object:
                return FromJson(JsonObject.Create(e));
        }
        return Null;
    }

    /// <summary>
    /// Converts a plain .NET value: null, bool, integers, floating point, decimal, string, byte[], DateTimeOffset,
    /// DateTime (UTC), TimeSpan, JsonNode, JsonElement, CelValue, dictionaries (string or scalar keys) and sequences.
    /// </summary>
    public static CelValue FromObject(object? value)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        return FromObjectCore(value);
    }

    private static CelValue FromObjectCore(object? value) => value switch
    {
        null => Null,
        CelValue c => c,
        JsonNode n => FromJson(n),
        JsonElement e => FromJsonElement(e),
        string s => FromString(s),
        bool b => FromBool(b),
        int i => FromInt(i),
        long l => FromInt(l),
        short s16 => FromInt(s16),
        sbyte s8 => FromInt(s8),
        byte u8 => FromUInt(u8),
        ushort u16 => FromUInt(u16),
        uint u32 => FromUInt(u32),
        ulong u64 => FromUInt(u64),
        double d => FromDouble(d),
        float f => FromDouble(f),
        decimal m => m == decimal.Truncate(m) && m >= long.MinValue && m <= long.MaxValue ? FromInt((long)m) : FromDouble((double)m),
        byte[] bytes => FromBytes((byte[])bytes.Clone()),
        DateTimeOffset dto => FromTimestamp(dto),
        DateTime dt => FromTimestamp(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime())),
        TimeSpan ts => FromDuration(ts),
        CelType t => FromType(t),
        System.Collections.IDictionary dict => FromDictionary(dict),
        System.Collections.IEnumerable seq => FromSequence(seq),
        _ => throw new ArgumentException($"values of type {value.GetType()} cannot be converted to CEL", nameof(value)),
    };

    private static CelValue FromDictionary(System.Collections.IDictionary dict)
    {
        var m = new CelMap();
        foreach (System.Collections.DictionaryEntry kv in dict)
        {
            var k = FromObject(kv.Key);
            if (!CelMap.IsValidKey(k)) throw new ArgumentException($"a map key cannot be of kind {k.Kind}");
            m.Set(k, FromObject(kv.Value));
        }
        return MapOf(m);
    }

    private static CelValue FromSequence(System.Collections.IEnumerable seq)
    {
        var list = new List<CelValue>();
        foreach (var item in seq)
        {
            if (item is { } o && o.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
            {
                // IReadOnlyDictionary that is not IDictionary: treat as a map.
                return FromPairs(seq);
            }
            list.Add(FromObject(item));
        }
        return ListOf([.. list]);
    }

    private static CelValue FromPairs(System.Collections.IEnumerable seq)
    {
        var m = new CelMap();
        foreach (var item in seq)
        {
            var t = item!.GetType();
            var k = FromObject(t.GetProperty("Key")!.GetValue(item));
            if (!CelMap.IsValidKey(k)) throw new ArgumentException($"a map key cannot be of kind {k.Kind}");
            m.Set(k, FromObject(t.GetProperty("Value")!.GetValue(item)));
        }
        return MapOf(m);
    }

    // ---- JSON out -----------------------------------------------------------------------------------------

    /// <summary>
    /// The value as JSON: int and uint stay integral numbers, doubles stay doubles (non-finite ones as strings
    /// "NaN"/"Infinity"/"-Infinity"), bytes as base64, timestamps as RFC 3339, durations as "1.5s", types by name,
    /// optionals as their value or null. Map keys become strings. Throws <see cref="CelEvaluationException"/> on an error value.
    /// </summary>
    public JsonNode? ToJsonNode()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (_kind)
        {
            case CelKind.Null: return null;
            case CelKind.Bool: return JsonValue.Create(AsBool);
            case CelKind.Int: return JsonValue.Create(AsInt);
            case CelKind.Uint: return JsonValue.Create(AsUInt);
            case CelKind.Double:
                {
                    double d = AsDouble;
                    if (double.IsFinite(d)) return JsonValue.Create(d);
                    return JsonValue.Create(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                }
            case CelKind.String: return JsonValue.Create(AsString);
            case CelKind.Bytes: return JsonValue.Create(Convert.ToBase64String(AsBytes));
            case CelKind.Timestamp: return JsonValue.Create(Runtime.TimeFormat.FormatTimestamp(this));
            case CelKind.Duration: return JsonValue.Create(Runtime.TimeFormat.FormatDuration(_bits));
            case CelKind.Type: return JsonValue.Create(AsType.Name);
            case CelKind.Optional: return OptionalHasValue ? OptionalValue.ToJsonNode() : null;
            case CelKind.List:
                {
                    if (_ref is JsonArray ja) return ja.DeepClone();
                    var arr = new JsonArray();
                    foreach (var item in (CelValue[])_ref!) arr.Add(item.ToJsonNode());
                    return arr;
                }
            case CelKind.Map:
                {
                    if (_ref is JsonObject jo) return jo.DeepClone();
                    var obj = new JsonObject();
                    foreach (var (k, v) in ((CelMap)_ref!).Entries) obj[k.KeyString()] = v.ToJsonNode();
                    return obj;
                }
            case CelKind.Error:
                throw new CelEvaluationException(Error!);
        }
        return null;
    }

    private string KeyString() => _kind switch
    {
        CelKind.String => AsString,
        CelKind.Bool => AsBool ? "true" : "false",
        CelKind.Int => AsInt.ToString(CultureInfo.InvariantCulture),
        CelKind.Uint => AsUInt.ToString(CultureInfo.InvariantCulture),
        _ => ToString(),
    };

    /// <summary>A CEL-like rendering for diagnostics (strings quoted, lists and maps in CEL syntax).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Runtime.Format.Debug(sb, this, 0);
        return sb.ToString();
    }
}

/// <summary>Thrown when an error value is converted to a host value.</summary>
public sealed class CelEvaluationException(CelError error) : Exception(error.ToString())
{
    public CelError Error { get; } = error;
}
