using System.Text;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>String built-ins and the strings extension. Indexes count Unicode code points, not UTF-16 units.</summary>
internal static class StringFunctions
{
    public static CelValue Contains(CelValue s, CelValue sub) =>
        s.Kind == CelKind.String && sub.Kind == CelKind.String
            ? CelValue.FromBool(s.AsString.Contains(sub.AsString, StringComparison.Ordinal))
            : Err.NoOverload("contains", s, sub);

    public static CelValue StartsWith(CelValue s, CelValue sub) =>
        s.Kind == CelKind.String && sub.Kind == CelKind.String
            ? CelValue.FromBool(s.AsString.StartsWith(sub.AsString, StringComparison.Ordinal))
            : Err.NoOverload("startsWith", s, sub);

    public static CelValue EndsWith(CelValue s, CelValue sub) =>
        s.Kind == CelKind.String && sub.Kind == CelKind.String
            ? CelValue.FromBool(s.AsString.EndsWith(sub.AsString, StringComparison.Ordinal))
            : Err.NoOverload("endsWith", s, sub);

    public static void RegisterExtensions(FunctionTable t)
    {
        t.Binary("charAt", CharAt, CallStyle.Receiver);
        t.Binary("indexOf", (s, sub) => IndexOf(s, sub, CelValue.FromInt(0), false), CallStyle.Receiver);
        t.Ternary("indexOf", (s, sub, off) => IndexOf(s, sub, off, true), CallStyle.Receiver);
        t.Binary("lastIndexOf", (s, sub) => LastIndexOf(s, sub, default, false), CallStyle.Receiver);
        t.Ternary("lastIndexOf", (s, sub, off) => LastIndexOf(s, sub, off, true), CallStyle.Receiver);
        t.Unary("lowerAscii", s => s.Kind == CelKind.String ? CelValue.FromString(MapAscii(s.AsString, upper: false)) : Err.NoOverload("lowerAscii", s), CallStyle.Receiver);
        t.Unary("upperAscii", s => s.Kind == CelKind.String ? CelValue.FromString(MapAscii(s.AsString, upper: true)) : Err.NoOverload("upperAscii", s), CallStyle.Receiver);
        t.Ternary("replace", (s, a, b) => Replace(s, a, b, CelValue.FromInt(-1)), CallStyle.Receiver);
        t.Nary("replace", 4, args => Replace(args[0], args[1], args[2], args[3]), CallStyle.Receiver);
        t.Binary("split", (s, sep) => Split(s, sep, CelValue.FromInt(-1)), CallStyle.Receiver);
        t.Ternary("split", Split, CallStyle.Receiver);
        t.Binary("substring", (s, a) => Substring(s, a, default, false), CallStyle.Receiver);
        t.Ternary("substring", (s, a, b) => Substring(s, a, b, true), CallStyle.Receiver);
        t.Unary("trim", s => s.Kind == CelKind.String ? CelValue.FromString(TrimSpace(s.AsString)) : Err.NoOverload("trim", s), CallStyle.Receiver);
        t.Unary("join", l => Join(l, CelValue.FromString("")), CallStyle.Receiver);
        t.Binary("join", Join, CallStyle.Receiver);
        t.Unary("strings.quote", s => s.Kind == CelKind.String ? CelValue.FromString(Quote(s.AsString)) : Err.NoOverload("strings.quote", s));
        t.Unary("reverse", Reverse, CallStyle.Receiver);
        t.Binary("format", StringFormat.Format, CallStyle.Receiver);
    }

    private static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    private static int[] Runes(string s)
    {
        var r = new List<int>(s.Length);
        foreach (var rune in s.EnumerateRunes()) r.Add(rune.Value);
        return [.. r];
    }

    private static string FromRunes(ReadOnlySpan<int> runes)
    {
        var sb = new StringBuilder(runes.Length);
        foreach (int cp in runes) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    private static CelValue CharAt(CelValue s, CelValue i)
    {
        if (s.Kind != CelKind.String || i.Kind != CelKind.Int) return Err.NoOverload("charAt", s, i);
        var runes = Runes(s.AsString);
        long idx = i.AsInt;
        if (idx < 0 || idx > runes.Length) return Err.Index(idx, runes.Length);
        return CelValue.FromString(idx == runes.Length ? "" : char.ConvertFromUtf32(runes[idx]));
    }

    private static CelValue IndexOf(CelValue s, CelValue sub, CelValue off, bool withOffset)
    {
        if (s.Kind != CelKind.String || sub.Kind != CelKind.String || off.Kind != CelKind.Int)
            return withOffset ? Err.NoOverload("indexOf", [s, sub, off]) : Err.NoOverload("indexOf", s, sub);
        var text = Runes(s.AsString);
        var pat = Runes(sub.AsString);
        long start = off.AsInt;
        if (start < 0 || start > text.Length) return Err.Index(start, text.Length);
        for (long i = start; i + pat.Length <= text.Length; i++)
            if (text.AsSpan((int)i, pat.Length).SequenceEqual(pat)) return CelValue.FromInt(i);
        return CelValue.FromInt(-1);
    }

    private static CelValue LastIndexOf(CelValue s, CelValue sub, CelValue off, bool withOffset)
    {
        if (s.Kind != CelKind.String || sub.Kind != CelKind.String || (withOffset && off.Kind != CelKind.Int))
            return withOffset ? Err.NoOverload("lastIndexOf", [s, sub, off]) : Err.NoOverload("lastIndexOf", s, sub);
        var text = Runes(s.AsString);
        var pat = Runes(sub.AsString);
        long start = withOffset ? off.AsInt : text.Length;
        if (withOffset && (start < 0 || start >= Math.Max(text.Length, 1) && !(text.Length == 0 && start == 0)))
            return Err.Index(start, text.Length);
        if (pat.Length == 0) return CelValue.FromInt(Math.Min(start, text.Length));
        for (long i = Math.Min(start, text.Length - pat.Length); i >= 0; i--)
            if (text.AsSpan((int)i, pat.Length).SequenceEqual(pat)) return CelValue.FromInt(i);
        return CelValue.FromInt(-1);
    }

    private static string MapAscii(string s, bool upper)
    {
        return string.Create(s.Length, (s, upper), static (span, st) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                char c = st.s[i];
                span[i] = st.upper ? (c is >= 'a' and <= 'z' ? (char)(c - 32) : c) : (c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
            }
        });
    }

    private static CelValue Replace(CelValue s, CelValue from, CelValue to, CelValue n)
    {
        if (s.Kind != CelKind.String || from.Kind != CelKind.String || to.Kind != CelKind.String || n.Kind != CelKind.Int)
            return Err.NoOverload("replace", [s, from, to, n]);
        string str = s.AsString, a = from.AsString, b = to.AsString;
        long limit = n.AsInt;
        if (limit == 0) return s;
        if (a.Length == 0)
        {
            // Go semantics: insert the replacement before every code point and at the end.
            var sb = new StringBuilder();
            long count = 0;
            var runes = Runes(str);
            foreach (int cp in runes)
            {
                if (limit < 0 || count < limit) { sb.Append(b); count++; }
                sb.Append(char.ConvertFromUtf32(cp));
            }
            if (limit < 0 || count < limit) sb.Append(b);
            return CelValue.FromString(sb.ToString());
        }
        if (limit < 0) return CelValue.FromString(str.Replace(a, b, StringComparison.Ordinal));
        var result = new StringBuilder();
        int pos = 0;
        for (long done = 0; done < limit; done++)
        {
            int idx = str.IndexOf(a, pos, StringComparison.Ordinal);
            if (idx < 0) break;
            result.Append(str, pos, idx - pos).Append(b);
            pos = idx + a.Length;
        }
        result.Append(str, pos, str.Length - pos);
        return CelValue.FromString(result.ToString());
    }

    private static CelValue Split(CelValue s, CelValue sep, CelValue n)
    {
        if (s.Kind != CelKind.String || sep.Kind != CelKind.String || n.Kind != CelKind.Int)
            return Err.NoOverload("split", [s, sep, n]);
        string str = s.AsString, d = sep.AsString;
        long limit = n.AsInt;
        if (limit == 0) return CelValue.ListOf([]);
        var parts = new List<CelValue>();
        if (d.Length == 0)
        {
            var runes = Runes(str);
            for (int i = 0; i < runes.Length; i++)
            {
                if (limit > 0 && parts.Count == limit - 1)
                {
                    parts.Add(CelValue.FromString(FromRunes(runes.AsSpan(i))));
                    return CelValue.ListOf([.. parts]);
                }
                parts.Add(CelValue.FromString(char.ConvertFromUtf32(runes[i])));
            }
            return CelValue.ListOf([.. parts]);
        }
        int pos = 0;
        while (limit < 0 || parts.Count < limit - 1)
        {
            int idx = str.IndexOf(d, pos, StringComparison.Ordinal);
            if (idx < 0) break;
            parts.Add(CelValue.FromString(str[pos..idx]));
            pos = idx + d.Length;
        }
        parts.Add(CelValue.FromString(str[pos..]));
        return CelValue.ListOf([.. parts]);
    }

    private static CelValue Substring(CelValue s, CelValue a, CelValue b, bool hasEnd)
    {
        if (s.Kind != CelKind.String || a.Kind != CelKind.Int || (hasEnd && b.Kind != CelKind.Int))
            return hasEnd ? Err.NoOverload("substring", [s, a, b]) : Err.NoOverload("substring", s, a);
        string str = s.AsString;
        bool simple = !HasSurrogates(str);
        int len = simple ? str.Length : Operators.CodePoints(str);
        long start = a.AsInt, end = hasEnd ? b.AsInt : len;
        if (start < 0 || start > len) return Err.Index(start, len);
        if (end < 0 || end > len) return Err.Index(end, len);
        if (end < start) return Err.Invalid($"substring: end index {end} is before start index {start}");
        if (simple) return CelValue.FromString(str.Substring((int)start, (int)(end - start)));
        var runes = Runes(str);
        return CelValue.FromString(FromRunes(runes.AsSpan((int)start, (int)(end - start))));
    }

    private static string TrimSpace(string s)
    {
        int i = 0, j = s.Length;
        while (i < j && IsSpace(s[i])) i++;
        while (j > i && IsSpace(s[j - 1])) j--;
        return s[i..j];
    }

    // Go's unicode.IsSpace: '\t', '\n', '\v', '\f', '\r', ' ', U+0085, U+00A0 and the Unicode White_Space set.
    private static bool IsSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u0085' or '\u00A0' or '\u1680' or '\u2028' or '\u2029'
            or '\u202F' or '\u205F' or '\u3000' => true,
        >= '\u2000' and <= '\u200A' => true,
        _ => false,
    };

    private static CelValue Join(CelValue list, CelValue sep)
    {
        if (list.Kind != CelKind.List || sep.Kind != CelKind.String) return Err.NoOverload("join", list, sep);
        var sb = new StringBuilder();
        int n = list.ListCount;
        for (int i = 0; i < n; i++)
        {
            var item = list.ListAt(i);
            if (item.Kind != CelKind.String) return Err.NoOverload("join", item);
            if (i > 0) sb.Append(sep.AsString);
            sb.Append(item.AsString);
        }
        return CelValue.FromString(sb.ToString());
    }

    private static CelValue Reverse(CelValue s)
    {
        if (s.Kind != CelKind.String) return Err.NoOverload("reverse", s);
        var runes = Runes(s.AsString);
        Array.Reverse(runes);
        return CelValue.FromString(FromRunes(runes));
    }

    /// <summary>strings.quote: a double-quoted CEL string literal with escapes.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                default: sb.Append(rune.ToString()); break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }
}
