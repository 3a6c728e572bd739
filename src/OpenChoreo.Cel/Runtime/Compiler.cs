using OpenChoreo.Cel.Functions;
using OpenChoreo.Cel.Parsing;

namespace OpenChoreo.Cel.Runtime;

/// <summary>Turns a parsed expression into an evaluation tree: resolves names, functions and comprehension slots.</summary>
internal sealed class Compiler
{
    private readonly FunctionTable _functions;
    private readonly string[] _containerPrefixes;
    private readonly List<(string Name, int Slot)> _scope = [];
    private int _slots;

    private Compiler(FunctionTable functions, string container)
    {
        _functions = functions;
        // "a.b.c" → "a.b.c.", "a.b.", "a.", "" (most specific first).
        var prefixes = new List<string>();
        if (!string.IsNullOrEmpty(container))
        {
            var parts = container.Split('.');
            for (int n = parts.Length; n > 0; n--) prefixes.Add(string.Join('.', parts, 0, n) + ".");
        }
        prefixes.Add("");
        _containerPrefixes = [.. prefixes];
    }

    public static (Node Root, int Slots) Compile(Expr e, FunctionTable functions, string container)
    {
        var c = new Compiler(functions, container);
        var root = c.Build(e);
        return (root, c._slots);
    }

    private int? Local(string name)
    {
        for (int i = _scope.Count - 1; i >= 0; i--)
            if (_scope[i].Name == name) return _scope[i].Slot;
        return null;
    }

    private Node Build(Expr e) => e switch
    {
        ConstExpr c => new ConstNode(c.Offset, c.Value),
        IdentExpr id => BuildIdent(id),
        SelectExpr s => BuildSelect(s),
        CallExpr call => BuildCall(call),
        ListExpr l => new ListNode(l.Offset, [.. l.Elements.Select(Build)], l.OptionalElements),
        MapExpr m => new MapNode(m.Offset, [.. m.Entries.Select(x => Build(x.Key))], [.. m.Entries.Select(x => Build(x.Value))], [.. m.Entries.Select(x => x.Optional)]),
        StructExpr st => BuildStruct(st),
        ComprehensionExpr ce => BuildComprehension(ce),
        _ => throw new InvalidOperationException($"unexpected expression {e.GetType().Name}"),
    };

    private Node BuildStruct(StructExpr st)
    {
        bool absolute = st.TypeName.StartsWith('.');
        string name = st.TypeName.TrimStart('.');
        foreach (var p in absolute ? [""] : _containerPrefixes)
        {
            if (WellKnownTypes.IsKnown(p + name))
            {
                return new WellKnownStructNode(st.Offset, p + name, [.. st.Fields.Select(f => f.Field)],
                    [.. st.Fields.Select(f => Build(f.Value))], [.. st.Fields.Select(f => f.Optional)]);
            }
        }
        return new ErrorNode(st.Offset, CelErrorKind.NoSuchOverload, $"unknown type '{name}': message construction is not supported");
    }

    private Node BuildIdent(IdentExpr id)
    {
        if (!id.Absolute && Local(id.Name) is { } slot) return new LocalNode(id.Offset, slot);
        return Attribute(id.Offset, [id.Name], id.Absolute, [id.Offset]);
    }

    private Node Attribute(int offset, string[] parts, bool absolute, int[] offsets)
    {
        var candidates = new List<(string, int)>();
        var prefixes = absolute ? [""] : _containerPrefixes;
        for (int n = parts.Length; n > 0; n--)
        {
            string name = string.Join('.', parts, 0, n);
            foreach (var p in prefixes) candidates.Add((p + name, n));
        }
        return new AttributeNode(offset, [.. candidates], parts, offsets, string.Join('.', parts));
    }

    /// <summary>The identifier chain of a plain select path (<c>a.b.c</c>), unless its root is a local variable.</summary>
    private string[]? Chain(Expr e, out bool absolute)
    {
        absolute = false;
        var parts = new List<string>();
        while (true)
        {
            switch (e)
            {
                case SelectExpr { TestOnly: false, Optional: false } s:
                    parts.Add(s.Field);
                    e = s.Operand;
                    continue;
                case IdentExpr id:
                    if (!id.Absolute && Local(id.Name) != null) return null;
                    absolute = id.Absolute;
                    parts.Add(id.Name);
                    parts.Reverse();
                    return [.. parts];
                default:
                    return null;
            }
        }
    }

    /// <summary>The position of each name of a <see cref="Chain"/>, so an error points at the field that failed.</summary>
    private static int[] ChainOffsets(Expr e)
    {
        var offsets = new List<int>();
        while (e is SelectExpr s)
        {
            offsets.Add(s.Offset);
            e = s.Operand;
        }
        offsets.Add(e.Offset);
        offsets.Reverse();
        return [.. offsets];
    }

    /// <summary>A plain select path rooted at a comprehension variable (<c>i.a.b</c>), as one node.</summary>
    private LocalSelectNode? LocalChain(SelectExpr s)
    {
        var fields = new List<string>();
        var offsets = new List<int>();
        Expr e = s;
        while (e is SelectExpr { TestOnly: false, Optional: false } sel)
        {
            fields.Add(sel.Field);
            offsets.Add(sel.Offset);
            e = sel.Operand;
        }
        if (e is not IdentExpr { Absolute: false } id || Local(id.Name) is not { } slot) return null;
        fields.Reverse();
        offsets.Reverse();
        return new LocalSelectNode(s.Offset, slot, [.. fields], [.. offsets]);
    }

    private Node BuildSelect(SelectExpr s)
    {
        if (s.TestOnly) return new HasNode(s.Offset, Build(s.Operand), s.Field);
        if (!s.Optional && Chain(s, out bool absolute) is { } parts) return Attribute(s.Offset, parts, absolute, ChainOffsets(s));
        if (!s.Optional && LocalChain(s) is { } local) return local;
        return new SelectNode(s.Offset, Build(s.Operand), s.Field, s.Optional);
    }

    private Node BuildCall(CallExpr call)
    {
        var a = call.Args;
        switch (call.Function)
        {
            case "_&&_" when a.Length == 2: return new AndNode(call.Offset, Build(a[0]), Build(a[1]));
            case "_||_" when a.Length == 2: return new OrNode(call.Offset, Build(a[0]), Build(a[1]));
            case "_?_:_" when a.Length == 3: return new TernaryNode(call.Offset, Build(a[0]), Build(a[1]), Build(a[2]));
            case "_[_]" when a.Length == 2: return new IndexNode(call.Offset, Build(a[0]), Build(a[1]), optional: false);
            case "_[?_]" when a.Length == 2: return new IndexNode(call.Offset, Build(a[0]), Build(a[1]), optional: true);
        }

        if (call.Target != null && call.Function is "or" or "orValue" && a.Length == 1)
        {
            // Lazy: the alternative is evaluated only when the optional is empty.
            return new OptionalOrNode(call.Offset, Build(call.Target), Build(a[0]), call.Function == "orValue");
        }
        if (call.Target != null)
        {
            // Namespaced global function, e.g. math.greatest(...) or optional.of(...).
            if (Chain(call.Target, out bool absolute) is { } ns)
            {
                string qualified = string.Join('.', ns) + "." + call.Function;
                foreach (var p in absolute ? [""] : _containerPrefixes)
                {
                    if (_functions.HasGlobal(p + qualified))
                        return Bind(call.Offset, p + qualified, CallStyle.Global, [.. a.Select(Build)]);
                }
            }
            var args = new Node[a.Length + 1];
            args[0] = Build(call.Target);
            for (int i = 0; i < a.Length; i++) args[i + 1] = Build(a[i]);
            return Bind(call.Offset, call.Function, CallStyle.Receiver, args);
        }

        string fn = call.Function.TrimStart('.');
        if (!call.Function.StartsWith('.'))
        {
            foreach (var p in _containerPrefixes)
            {
                if (p.Length > 0 && _functions.HasGlobal(p + fn))
                    return Bind(call.Offset, p + fn, CallStyle.Global, [.. a.Select(Build)]);
            }
        }
        return Bind(call.Offset, fn, CallStyle.Global, [.. a.Select(Build)]);
    }

    private Node Bind(int offset, string name, CallStyle style, Node[] args)
    {
        var impls = _functions.Find(name, style, args.Length);
        if (impls.Count == 0)
        {
            string how = style == CallStyle.Receiver ? "receiver-style " : "";
            string msg = _functions.Has(name)
                ? $"no such overload: {how}{name} with {args.Length} argument(s)"
                : $"undeclared reference to '{name}' (unknown function)";
            return new ErrorNode(offset, CelErrorKind.NoSuchOverload, msg);
        }
        if (impls.Count == 1 && impls[0].Custom == null)
        {
            var f = impls[0];
            if (f.F1 != null && args.Length == 1) return new Call1Node(offset, f.F1, args[0]);
            if (f.F2 != null && args.Length == 2) return new Call2Node(offset, f.F2, args[0], args[1]);
            if (f.F3 != null && args.Length == 3) return new Call3Node(offset, f.F3, args[0], args[1], args[2]);
        }
        return new CallNode(offset, name, [.. impls], args);
    }

    private Node BuildComprehension(ComprehensionExpr ce)
    {
        var range = Build(ce.Range);
        int mark = _scope.Count;
        int slot1 = _slots++;
        _scope.Add((ce.Var, slot1));
        int slot2 = -1;
        if (ce.Var2 != null)
        {
            slot2 = _slots++;
            _scope.Add((ce.Var2, slot2));
        }
        var body = Build(ce.Body);
        var filter = ce.Filter == null ? null : Build(ce.Filter);
        _scope.RemoveRange(mark, _scope.Count - mark);
        string macro = ce.Kind switch
        {
            ComprehensionKind.MapFilter => "map",
            ComprehensionKind.TransformListFilter => "transformList",
            ComprehensionKind.TransformMapFilter => "transformMap",
            ComprehensionKind.Bind => "cel.bind",
            _ => char.ToLowerInvariant(ce.Kind.ToString()[0]) + ce.Kind.ToString()[1..],
        };
        return new ComprehensionNode(ce.Offset, ce.Kind, slot1, slot2, range, body, filter, macro);
    }
}
