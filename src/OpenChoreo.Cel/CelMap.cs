namespace OpenChoreo.Cel;

/// <summary>
/// An insertion-ordered CEL map. Keys are bool, int, uint or string; int and uint keys of equal value are the same
/// key (CEL numeric key equality), and integral doubles find them on lookup.
/// </summary>
internal sealed class CelMap
{
    private readonly OrderedDictionary<CelValue, CelValue> _entries;

    public CelMap(int capacity = 0) => _entries = new OrderedDictionary<CelValue, CelValue>(capacity, KeyComparer.Instance);

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<CelValue, CelValue>> Entries => _entries;

    public static bool IsValidKey(CelValue k) => k.Kind is CelKind.Bool or CelKind.Int or CelKind.Uint or CelKind.String;

    /// <summary>Adds or replaces; returns false when the key was already present.</summary>
    public bool Set(CelValue key, CelValue value)
    {
        bool added = !_entries.ContainsKey(key);
        _entries[key] = value;
        return added;
    }

    public bool TryGet(CelValue key, out CelValue value)
    {
        if (key.Kind == CelKind.Double)
        {
            double d = key.AsDouble;
            if (d != Math.Floor(d) || double.IsInfinity(d)) { value = default; return false; }
            if (d >= -9.2233720368547758E18 && d < 9.2233720368547758E18) key = CelValue.FromInt((long)d);
            else if (d >= 0 && d < 1.8446744073709552E19) key = CelValue.FromUInt((ulong)d);
            else { value = default; return false; }
        }
        return _entries.TryGetValue(key, out value);
    }

    public CelValue[] KeyArray() => [.. _entries.Keys];

    private sealed class KeyComparer : IEqualityComparer<CelValue>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(CelValue x, CelValue y)
        {
            if (x.Kind == y.Kind)
            {
                return x.Kind switch
                {
                    CelKind.String => string.Equals(x.AsString, y.AsString, StringComparison.Ordinal),
                    _ => x._bits == y._bits,
                };
            }
            if (x.Kind is CelKind.Int && y.Kind is CelKind.Uint) return x.AsInt >= 0 && (ulong)x.AsInt == y.AsUInt;
            if (x.Kind is CelKind.Uint && y.Kind is CelKind.Int) return y.AsInt >= 0 && (ulong)y.AsInt == x.AsUInt;
            return false;
        }

        public int GetHashCode(CelValue v) => v.Kind switch
        {
            CelKind.String => v.AsString.GetHashCode(StringComparison.Ordinal),
            CelKind.Bool => v.AsBool ? 1 : 2,
            // int and uint share hashes for equal non-negative values.
            _ => v._bits.GetHashCode(),
        };
    }
}
