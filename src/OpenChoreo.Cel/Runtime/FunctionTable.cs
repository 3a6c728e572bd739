namespace OpenChoreo.Cel.Runtime;

/// <summary>How a function may be called.</summary>
[Flags]
internal enum CallStyle
{
    Global = 1,
    Receiver = 2,
    Both = Global | Receiver,
}

/// <summary>
/// A function implementation with a fixed (or variadic, <see cref="Arity"/> = -1) argument count. Built-ins use the
/// typed delegates for speed and check kinds themselves; host overloads carry parameter kinds in <see cref="Custom"/>.
/// </summary>
internal sealed class FunctionImpl
{
    public required string Name { get; init; }
    public CallStyle Style { get; init; } = CallStyle.Global;
    public int Arity { get; init; }
    public int MinArity { get; init; }
    public Func<CelValue, CelValue>? F1 { get; init; }
    public Func<CelValue, CelValue, CelValue>? F2 { get; init; }
    public Func<CelValue, CelValue, CelValue, CelValue>? F3 { get; init; }
    public CelFunctionImpl? FN { get; init; }
    public CelOverload? Custom { get; init; }

    public bool Accepts(int argc) => Arity < 0 ? argc >= MinArity : argc == Arity;
}

/// <summary>Name → implementations. Immutable once an environment is built (copied on <c>WithFunction</c>).</summary>
internal sealed class FunctionTable
{
    private readonly Dictionary<string, List<FunctionImpl>> _byName;

    public FunctionTable() => _byName = new(StringComparer.Ordinal);

    private FunctionTable(Dictionary<string, List<FunctionImpl>> byName) => _byName = byName;

    public FunctionTable Clone() => new(_byName.ToDictionary(kv => kv.Key, kv => new List<FunctionImpl>(kv.Value), StringComparer.Ordinal));

    public void Add(FunctionImpl f)
    {
        if (!_byName.TryGetValue(f.Name, out var list)) _byName[f.Name] = list = [];
        list.Add(f);
    }

    /// <summary>Host overloads go first so that they can refine a built-in name.</summary>
    public void AddFirst(FunctionImpl f)
    {
        if (!_byName.TryGetValue(f.Name, out var list)) _byName[f.Name] = list = [];
        list.Insert(0, f);
    }

    public bool Has(string name) => _byName.ContainsKey(name);

    public bool HasGlobal(string name) => _byName.TryGetValue(name, out var l) && l.Exists(f => (f.Style & CallStyle.Global) != 0);

    public List<FunctionImpl> Find(string name, CallStyle style, int argc)
    {
        if (!_byName.TryGetValue(name, out var list)) return [];
        return list.FindAll(f => (f.Style & style) != 0 && f.Accepts(argc));
    }

    // Registration helpers for the built-ins.
    public void Unary(string name, Func<CelValue, CelValue> f, CallStyle style = CallStyle.Global) =>
        Add(new FunctionImpl { Name = name, Style = style, Arity = 1, F1 = f });

    public void Binary(string name, Func<CelValue, CelValue, CelValue> f, CallStyle style = CallStyle.Global) =>
        Add(new FunctionImpl { Name = name, Style = style, Arity = 2, F2 = f });

    public void Ternary(string name, Func<CelValue, CelValue, CelValue, CelValue> f, CallStyle style = CallStyle.Global) =>
        Add(new FunctionImpl { Name = name, Style = style, Arity = 3, F3 = f });

    public void Nary(string name, int arity, CelFunctionImpl f, CallStyle style = CallStyle.Global, int minArity = 0) =>
        Add(new FunctionImpl { Name = name, Style = style, Arity = arity, MinArity = minArity, FN = f });
}
