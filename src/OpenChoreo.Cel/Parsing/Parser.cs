using System.Globalization;

namespace OpenChoreo.Cel.Parsing;

/// <summary>Recursive-descent CEL parser with macro expansion and bounded nesting.</summary>
internal sealed class Parser
{
    private readonly string _src;
    private readonly List<Token> _tokens;
    private readonly CelLimits _limits;
    private readonly bool _macros;
    private int _i;
    private int _depth;

    private Parser(string src, CelLimits limits, bool macros)
    {
        _src = src;
        _limits = limits;
        _macros = macros;
        _tokens = new Lexer(src).Tokenize();
    }

    public static Expr Parse(string source, CelLimits limits, bool macros = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length > limits.MaxExpressionLength)
            throw CelParseException.At(source, 0, $"expression is {source.Length} characters, more than the limit of {limits.MaxExpressionLength}");
        var p = new Parser(source, limits, macros);
        var e = p.ParseExpr();
        if (p.Peek.Kind != TokenKind.Eof) throw p.Error(p.Peek.Offset, $"unexpected {Describe(p.Peek)}, expected end of expression");
        int height = AstDepth.Of(e);
        if (height > limits.MaxAstDepth)
            throw CelParseException.At(source, 0, $"expression nesting depth {height} exceeds the limit of {limits.MaxAstDepth}");
        return e;
    }

    private Token Peek => _tokens[_i];

    private TokenKind PeekKind(int ahead) => _i + ahead < _tokens.Count ? _tokens[_i + ahead].Kind : TokenKind.Eof;

    private Token Advance() => _tokens[_i++];

    private bool Accept(TokenKind k)
    {
        if (Peek.Kind != k) return false;
        _i++;
        return true;
    }

    private Token Expect(TokenKind k, string what)
    {
        if (Peek.Kind != k) throw Error(Peek.Offset, $"unexpected {Describe(Peek)}, expected {what}");
        return Advance();
    }

    private CelParseException Error(int offset, string reason) => CelParseException.At(_src, offset, reason);

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.Eof => "end of input",
        TokenKind.Ident or TokenKind.ReservedIdent => $"identifier '{t.Text}'",
        TokenKind.Int or TokenKind.Uint or TokenKind.Double or TokenKind.String or TokenKind.Bytes => "literal",
        _ => $"'{t.Text}'",
    };

    private void Enter(int offset)
    {
        if (++_depth > _limits.MaxAstDepth)
            throw Error(offset, $"expression nesting exceeds the limit of {_limits.MaxAstDepth}");
    }

    private Expr ParseExpr()
    {
        Enter(Peek.Offset);
        try
        {
            var cond = ParseOr();
            if (Peek.Kind != TokenKind.Question) return cond;
            int off = Advance().Offset;
            var a = ParseOr();
            Expect(TokenKind.Colon, "':'");
            var b = ParseExpr();
            return new CallExpr(off, null, "_?_:_", [cond, a, b]);
        }
        finally
        {
            _depth--;
        }
    }

    private Expr ParseOr()
    {
        var e = ParseAnd();
        while (Peek.Kind == TokenKind.Or)
        {
            int off = Advance().Offset;
            e = new CallExpr(off, null, "_||_", [e, ParseAnd()]);
        }
        return e;
    }

    private Expr ParseAnd()
    {
        var e = ParseRelation();
        while (Peek.Kind == TokenKind.And)
        {
            int off = Advance().Offset;
            e = new CallExpr(off, null, "_&&_", [e, ParseRelation()]);
        }
        return e;
    }

    private Expr ParseRelation()
    {
        var e = ParseAddition();
        while (true)
        {
            string? op = Peek.Kind switch
            {
                TokenKind.Lt => "_<_",
                TokenKind.Le => "_<=_",
                TokenKind.Gt => "_>_",
                TokenKind.Ge => "_>=_",
                TokenKind.Eq => "_==_",
                TokenKind.Ne => "_!=_",
                TokenKind.In => "@in",
                _ => null,
            };
            if (op == null) return e;
            int off = Advance().Offset;
            e = new CallExpr(off, null, op, [e, ParseAddition()]);
        }
    }

    private Expr ParseAddition()
    {
        var e = ParseMultiplication();
        while (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var t = Advance();
            e = new CallExpr(t.Offset, null, t.Kind == TokenKind.Plus ? "_+_" : "_-_", [e, ParseMultiplication()]);
        }
        return e;
    }

    private Expr ParseMultiplication()
    {
        var e = ParseUnary();
        while (Peek.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var t = Advance();
            string op = t.Kind switch { TokenKind.Star => "_*_", TokenKind.Slash => "_/_", _ => "_%_" };
            e = new CallExpr(t.Offset, null, op, [e, ParseUnary()]);
        }
        return e;
    }

    private Expr ParseUnary()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Bang)
        {
            Advance();
            Enter(t.Offset);
            try { return new CallExpr(t.Offset, null, "!_", [ParseUnary()]); }
            finally { _depth--; }
        }
        if (t.Kind == TokenKind.Minus)
        {
            Advance();
            // A minus directly before an integer or double literal is part of the literal (so that
            // -9223372036854775808 is representable), unless member syntax follows the literal.
            if (Peek.Kind is TokenKind.Int or TokenKind.Double && PeekKind(1) is not (TokenKind.Dot or TokenKind.LBracket))
            {
                var lit = Advance();
                return lit.Kind == TokenKind.Int
                    ? new ConstExpr(t.Offset, ParseInt(lit, negative: true))
                    : new ConstExpr(t.Offset, CelValue.FromDouble(-lit.Value.AsDouble));
            }
            Enter(t.Offset);
            try { return new CallExpr(t.Offset, null, "-_", [ParseUnary()]); }
            finally { _depth--; }
        }
        return ParseMember();
    }

    private CelValue ParseInt(Token lit, bool negative)
    {
        string text = lit.Text;
        bool ok;
        ulong magnitude;
        if (text.StartsWith("0x", StringComparison.Ordinal))
            ok = ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude);
        else
            ok = ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        if (ok)
        {
            if (negative && magnitude <= 9223372036854775808UL) return CelValue.FromInt(unchecked(-(long)magnitude));
            if (!negative && magnitude <= long.MaxValue) return CelValue.FromInt((long)magnitude);
        }
        throw Error(lit.Offset, "integer literal out of range");
    }

    private Expr ParseMember()
    {
        var e = ParsePrimary();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Dot)
            {
                Advance();
                bool optional = Accept(TokenKind.Question);
                var name = Peek;
                if (name.Kind is not (TokenKind.Ident or TokenKind.EscapedIdent or TokenKind.ReservedIdent))
                    throw Error(name.Offset, $"unexpected {Describe(name)}, expected a field name");
                Advance();
                if (!optional && name.Kind is TokenKind.Ident or TokenKind.ReservedIdent && Peek.Kind == TokenKind.LParen)
                {
                    int callOff = Advance().Offset;
                    var args = ParseArgs(TokenKind.RParen);
                    e = MakeCall(callOff, e, name.Text, args);
                    continue;
                }
                e = new SelectExpr(t.Offset, e, name.Text, false, optional);
                continue;
            }
            if (t.Kind == TokenKind.LBracket)
            {
                Advance();
                bool optional = Accept(TokenKind.Question);
                var index = ParseExpr();
                Expect(TokenKind.RBracket, "']'");
                e = new CallExpr(t.Offset, null, optional ? "_[?_]" : "_[_]", [e, index]);
                continue;
            }
            if (t.Kind == TokenKind.LBrace && QualifiedName(e) is { } typeName)
            {
                Advance();
                e = ParseStruct(t.Offset, typeName);
                continue;
            }
            return e;
        }
    }

    /// <summary>The dotted name when <paramref name="e"/> is a plain identifier chain (candidate message type name).</summary>
    private static string? QualifiedName(Expr e) => e switch
    {
        IdentExpr id => id.Absolute ? "." + id.Name : id.Name,
        SelectExpr { TestOnly: false, Optional: false } s when QualifiedName(s.Operand) is { } prefix => prefix + "." + s.Field,
        _ => null,
    };

    private Expr ParseStruct(int offset, string typeName)
    {
        Enter(offset);
        try
        {
            var fields = new List<FieldInit>();
            while (Peek.Kind != TokenKind.RBrace)
            {
                bool optional = Accept(TokenKind.Question);
                var name = Peek;
                if (name.Kind is not (TokenKind.Ident or TokenKind.EscapedIdent or TokenKind.ReservedIdent))
                    throw Error(name.Offset, $"unexpected {Describe(name)}, expected a field name");
                Advance();
                Expect(TokenKind.Colon, "':'");
                fields.Add(new FieldInit(name.Text, ParseExpr(), optional));
                if (!Accept(TokenKind.Comma)) break;
            }
            Expect(TokenKind.RBrace, "'}'");
            return new StructExpr(offset, typeName, [.. fields]);
        }
        finally
        {
            _depth--;
        }
    }

    private List<Expr> ParseArgs(TokenKind close)
    {
        var args = new List<Expr>();
        if (Accept(close)) return args;
        while (true)
        {
            args.Add(ParseExpr());
            if (Accept(close)) return args;
            Expect(TokenKind.Comma, "',' or closing bracket");
        }
    }

    private Expr ParsePrimary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Int:
                Advance();
                return new ConstExpr(t.Offset, ParseInt(t, negative: false));
            case TokenKind.Uint or TokenKind.Double or TokenKind.String or TokenKind.Bytes
                or TokenKind.True or TokenKind.False or TokenKind.Null:
                Advance();
                return new ConstExpr(t.Offset, t.Value);
            case TokenKind.LParen:
                {
                    Advance();
                    var e = ParseExpr();
                    Expect(TokenKind.RParen, "')'");
                    return e;
                }
            case TokenKind.LBracket:
                {
                    Advance();
                    Enter(t.Offset);
                    try
                    {
                        var elems = new List<Expr>();
                        var opts = new List<bool>();
                        while (Peek.Kind != TokenKind.RBracket)
                        {
                            opts.Add(Accept(TokenKind.Question));
                            elems.Add(ParseExpr());
                            if (!Accept(TokenKind.Comma)) break;
                        }
                        Expect(TokenKind.RBracket, "']'");
                        return new ListExpr(t.Offset, [.. elems], [.. opts]);
                    }
                    finally
                    {
                        _depth--;
                    }
                }
            case TokenKind.LBrace:
                {
                    Advance();
                    Enter(t.Offset);
                    try
                    {
                        var entries = new List<MapEntry>();
                        while (Peek.Kind != TokenKind.RBrace)
                        {
                            bool optional = Accept(TokenKind.Question);
                            var k = ParseExpr();
                            Expect(TokenKind.Colon, "':'");
                            entries.Add(new MapEntry(k, ParseExpr(), optional));
                            if (!Accept(TokenKind.Comma)) break;
                        }
                        Expect(TokenKind.RBrace, "'}'");
                        return new MapExpr(t.Offset, [.. entries]);
                    }
                    finally
                    {
                        _depth--;
                    }
                }
            case TokenKind.ReservedIdent:
                throw Error(t.Offset, $"reserved identifier: {t.Text}");
            case TokenKind.Dot or TokenKind.Ident:
                {
                    bool absolute = t.Kind == TokenKind.Dot;
                    if (absolute) Advance();
                    var id = Expect(TokenKind.Ident, "an identifier");
                    if (Peek.Kind == TokenKind.LParen)
                    {
                        Advance();
                        var args = ParseArgs(TokenKind.RParen);
                        return MakeCall(id.Offset, null, absolute ? "." + id.Text : id.Text, args);
                    }
                    return new IdentExpr(absolute ? t.Offset : id.Offset, id.Text, absolute);
                }
            default:
                throw Error(t.Offset, $"unexpected {Describe(t)}, expected an expression");
        }
    }

    private Expr MakeCall(int offset, Expr? target, string function, List<Expr> args)
    {
        if (args.Count > _limits.MaxCallArguments)
            throw Error(offset, $"call to '{function}' has {args.Count} arguments, more than the limit of {_limits.MaxCallArguments}");
        if (_macros && TryExpandMacro(offset, target, function, args) is { } macro) return macro;
        return new CallExpr(offset, target, function, [.. args]);
    }

    private string VarName(Expr e, string macro)
    {
        if (e is IdentExpr { Absolute: false } id) return id.Name;
        throw Error(e.Offset, $"{macro}() variable name must be a simple identifier");
    }

    private Expr? TryExpandMacro(int off, Expr? target, string fn, List<Expr> a)
    {
        if (target == null)
        {
            if (fn == "has" && a.Count == 1)
            {
                if (a[0] is SelectExpr { TestOnly: false } s) return s with { TestOnly = true };
                throw Error(a[0].Offset, "invalid argument to has() macro");
            }
            return null;
        }
        if (fn == "bind" && a.Count == 3 && target is IdentExpr { Name: "cel", Absolute: false })
            return new ComprehensionExpr(off, ComprehensionKind.Bind, VarName(a[0], "cel.bind"), null, a[1], a[2], null);
        switch (fn, a.Count)
        {
            case ("all", 2):
                return new ComprehensionExpr(off, ComprehensionKind.All, VarName(a[0], fn), null, target, a[1], null);
            case ("all", 3):
                return new ComprehensionExpr(off, ComprehensionKind.All, VarName(a[0], fn), VarName(a[1], fn), target, a[2], null);
            case ("exists", 2):
                return new ComprehensionExpr(off, ComprehensionKind.Exists, VarName(a[0], fn), null, target, a[1], null);
            case ("exists", 3):
                return new ComprehensionExpr(off, ComprehensionKind.Exists, VarName(a[0], fn), VarName(a[1], fn), target, a[2], null);
            case ("exists_one" or "existsOne", 2):
                return new ComprehensionExpr(off, ComprehensionKind.ExistsOne, VarName(a[0], fn), null, target, a[1], null);
            case ("exists_one" or "existsOne", 3):
                return new ComprehensionExpr(off, ComprehensionKind.ExistsOne, VarName(a[0], fn), VarName(a[1], fn), target, a[2], null);
            case ("map", 2):
                return new ComprehensionExpr(off, ComprehensionKind.Map, VarName(a[0], fn), null, target, a[1], null);
            case ("map", 3):
                return new ComprehensionExpr(off, ComprehensionKind.MapFilter, VarName(a[0], fn), null, target, a[2], a[1]);
            case ("filter", 2):
                return new ComprehensionExpr(off, ComprehensionKind.Filter, VarName(a[0], fn), null, target, a[1], null);
            case ("transformList", 3):
                return new ComprehensionExpr(off, ComprehensionKind.TransformList, VarName(a[0], fn), VarName(a[1], fn), target, a[2], null);
            case ("transformList", 4):
                return new ComprehensionExpr(off, ComprehensionKind.TransformListFilter, VarName(a[0], fn), VarName(a[1], fn), target, a[3], a[2]);
            case ("transformMap", 3):
                return new ComprehensionExpr(off, ComprehensionKind.TransformMap, VarName(a[0], fn), VarName(a[1], fn), target, a[2], null);
            case ("transformMap", 4):
                return new ComprehensionExpr(off, ComprehensionKind.TransformMapFilter, VarName(a[0], fn), VarName(a[1], fn), target, a[3], a[2]);
            case ("transformMapEntry", 3):
                return new ComprehensionExpr(off, ComprehensionKind.TransformMapEntry, VarName(a[0], fn), VarName(a[1], fn), target, a[2], null);
            case ("transformMapEntry", 4):
                return new ComprehensionExpr(off, ComprehensionKind.TransformMapEntry, VarName(a[0], fn), VarName(a[1], fn), target, a[3], a[2]);
            case ("optMap", 2):
                return new ComprehensionExpr(off, ComprehensionKind.OptMap, VarName(a[0], fn), null, target, a[1], null);
            case ("sortBy", 2):
                return new ComprehensionExpr(off, ComprehensionKind.SortBy, VarName(a[0], fn), null, target, a[1], null);
            case ("optFlatMap", 2):
                return new ComprehensionExpr(off, ComprehensionKind.OptFlatMap, VarName(a[0], fn), null, target, a[1], null);
        }
        return null;
    }
}

/// <summary>Height of an expression tree, computed without recursion so that hostile input cannot overflow the stack.</summary>
internal static class AstDepth
{
    public static int Of(Expr root)
    {
        int max = 0;
        var stack = new Stack<(Expr, int)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (e, d) = stack.Pop();
            if (d > max) max = d;
            switch (e)
            {
                case SelectExpr s: stack.Push((s.Operand, d + 1)); break;
                case CallExpr c:
                    if (c.Target != null) stack.Push((c.Target, d + 1));
                    foreach (var a in c.Args) stack.Push((a, d + 1));
                    break;
                case ListExpr l: foreach (var x in l.Elements) stack.Push((x, d + 1)); break;
                case MapExpr m:
                    foreach (var x in m.Entries) { stack.Push((x.Key, d + 1)); stack.Push((x.Value, d + 1)); }
                    break;
                case StructExpr st: foreach (var f in st.Fields) stack.Push((f.Value, d + 1)); break;
                case ComprehensionExpr ce:
                    stack.Push((ce.Range, d + 1));
                    stack.Push((ce.Body, d + 1));
                    if (ce.Filter != null) stack.Push((ce.Filter, d + 1));
                    break;
            }
        }
        return max;
    }
}
