using System.Globalization;
using System.Text;

namespace OpenChoreo.Cel.Parsing;

/// <summary>Turns CEL source text into tokens; literals are decoded here (escapes, raw and triple-quoted strings).</summary>
internal sealed class Lexer
{
    private static readonly HashSet<string> Reserved =
    [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    ];

    private readonly string _src;
    private int _pos;

    public Lexer(string source) => _src = source;

    private CelParseException Error(int offset, string reason) => CelParseException.At(_src, offset, reason);

    public List<Token> Tokenize()
    {
        for (int i = 0; i < _src.Length; i++)
        {
            // Source text must be well-formed Unicode: a lone surrogate has no UTF-8 encoding.
            char c = _src[i];
            if (char.IsHighSurrogate(c) && i + 1 < _src.Length && char.IsLowSurrogate(_src[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) throw Error(i, "invalid UTF-16 text: unpaired surrogate");
        }
        var tokens = new List<Token>();
        while (true)
        {
            var t = Next();
            tokens.Add(t);
            if (t.Kind == TokenKind.Eof) return tokens;
        }
    }

    private void SkipTrivia()
    {
        while (_pos < _src.Length)
        {
            char c = _src[_pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f') { _pos++; continue; }
            if (c == '/' && _pos + 1 < _src.Length && _src[_pos + 1] == '/')
            {
                while (_pos < _src.Length && _src[_pos] != '\n') _pos++;
                continue;
            }
            break;
        }
    }

    private Token Next()
    {
        SkipTrivia();
        int start = _pos;
        if (_pos >= _src.Length) return new Token(TokenKind.Eof, start, "", default);
        char c = _src[_pos];
        char n = _pos + 1 < _src.Length ? _src[_pos + 1] : '\0';
        switch (c)
        {
            case '(': _pos++; return Simple(TokenKind.LParen, start);
            case ')': _pos++; return Simple(TokenKind.RParen, start);
            case '[': _pos++; return Simple(TokenKind.LBracket, start);
            case ']': _pos++; return Simple(TokenKind.RBracket, start);
            case '{': _pos++; return Simple(TokenKind.LBrace, start);
            case '}': _pos++; return Simple(TokenKind.RBrace, start);
            case ',': _pos++; return Simple(TokenKind.Comma, start);
            case ':': _pos++; return Simple(TokenKind.Colon, start);
            case '?': _pos++; return Simple(TokenKind.Question, start);
            case '+': _pos++; return Simple(TokenKind.Plus, start);
            case '-': _pos++; return Simple(TokenKind.Minus, start);
            case '*': _pos++; return Simple(TokenKind.Star, start);
            case '/': _pos++; return Simple(TokenKind.Slash, start);
            case '%': _pos++; return Simple(TokenKind.Percent, start);
            case '!':
                if (n == '=') { _pos += 2; return Simple(TokenKind.Ne, start); }
                _pos++; return Simple(TokenKind.Bang, start);
            case '=':
                if (n == '=') { _pos += 2; return Simple(TokenKind.Eq, start); }
                throw Error(start, "token recognition error at: '='");
            case '<':
                if (n == '=') { _pos += 2; return Simple(TokenKind.Le, start); }
                _pos++; return Simple(TokenKind.Lt, start);
            case '>':
                if (n == '=') { _pos += 2; return Simple(TokenKind.Ge, start); }
                _pos++; return Simple(TokenKind.Gt, start);
            case '&':
                if (n == '&') { _pos += 2; return Simple(TokenKind.And, start); }
                throw Error(start, "token recognition error at: '&'");
            case '|':
                if (n == '|') { _pos += 2; return Simple(TokenKind.Or, start); }
                throw Error(start, "token recognition error at: '|'");
            case '.':
                if (char.IsAsciiDigit(n)) return Number(start);
                _pos++; return Simple(TokenKind.Dot, start);
            case '`':
                return EscapedIdent(start);
            case '"' or '\'':
                return StringLit(start, raw: false, bytes: false);
        }
        if (char.IsAsciiDigit(c)) return Number(start);
        if (char.IsAsciiLetter(c) || c == '_')
        {
            // String prefixes: r, b, rb, br in any case.
            if (c is 'r' or 'R' or 'b' or 'B')
            {
                bool raw = c is 'r' or 'R', bytes = c is 'b' or 'B';
                int p = _pos + 1;
                if (p < _src.Length && (raw ? _src[p] is 'b' or 'B' : _src[p] is 'r' or 'R'))
                {
                    if (raw) bytes = true; else raw = true;
                    p++;
                }
                if (p < _src.Length && _src[p] is '"' or '\'')
                {
                    _pos = p;
                    return StringLit(start, raw, bytes);
                }
            }
            while (_pos < _src.Length && (char.IsAsciiLetterOrDigit(_src[_pos]) || _src[_pos] == '_')) _pos++;
            string id = _src[start.._pos];
            switch (id)
            {
                case "true": return new Token(TokenKind.True, start, id, CelValue.True);
                case "false": return new Token(TokenKind.False, start, id, CelValue.False);
                case "null": return new Token(TokenKind.Null, start, id, CelValue.Null);
                case "in": return Simple(TokenKind.In, start);
            }
            if (Reserved.Contains(id)) return new Token(TokenKind.ReservedIdent, start, id, default);
            return new Token(TokenKind.Ident, start, id, default);
        }
        throw Error(start, $"token recognition error at: '{c}'");
    }

    private Token Simple(TokenKind kind, int start) => new(kind, start, _src[start.._pos], default);

    private Token EscapedIdent(int start)
    {
        _pos++;
        int s = _pos;
        while (_pos < _src.Length && _src[_pos] != '`')
        {
            char ch = _src[_pos];
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-' or '/' or ' '))
                throw Error(_pos, $"invalid character in escaped identifier: '{ch}'");
            _pos++;
        }
        if (_pos >= _src.Length || _pos == s) throw Error(start, "unterminated or empty escaped identifier");
        string id = _src[s.._pos];
        _pos++;
        return new Token(TokenKind.EscapedIdent, start, id, default);
    }

    private Token Number(int start)
    {
        // Hexadecimal integers.
        if (_src[_pos] == '0' && _pos + 1 < _src.Length && _src[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            int hs = _pos;
            while (_pos < _src.Length && char.IsAsciiHexDigit(_src[_pos])) _pos++;
            if (hs == _pos) throw Error(start, "invalid hexadecimal literal");
            string hex = _src[hs.._pos];
            if (_pos < _src.Length && _src[_pos] is 'u' or 'U')
            {
                _pos++;
                if (!ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong u))
                    throw Error(start, "uint literal out of range");
                return new Token(TokenKind.Uint, start, hex, CelValue.FromUInt(u));
            }
            return new Token(TokenKind.Int, start, "0x" + hex, default);
        }
        bool isDouble = false;
        while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
        if (_pos < _src.Length && _src[_pos] == '.' && _pos + 1 < _src.Length && char.IsAsciiDigit(_src[_pos + 1]))
        {
            isDouble = true;
            _pos++;
            while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
        }
        if (_pos < _src.Length && _src[_pos] is 'e' or 'E')
        {
            int save = _pos;
            _pos++;
            if (_pos < _src.Length && _src[_pos] is '+' or '-') _pos++;
            if (_pos < _src.Length && char.IsAsciiDigit(_src[_pos]))
            {
                isDouble = true;
                while (_pos < _src.Length && char.IsAsciiDigit(_src[_pos])) _pos++;
            }
            else
            {
                _pos = save;
            }
        }
        string text = _src[start.._pos];
        if (isDouble)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                throw Error(start, "invalid double literal");
            return new Token(TokenKind.Double, start, text, CelValue.FromDouble(d));
        }
        if (_pos < _src.Length && _src[_pos] is 'u' or 'U')
        {
            _pos++;
            if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u))
                throw Error(start, "uint literal out of range");
            return new Token(TokenKind.Uint, start, text, CelValue.FromUInt(u));
        }
        return new Token(TokenKind.Int, start, text, default);
    }

    private Token StringLit(int start, bool raw, bool bytes)
    {
        char q = _src[_pos];
        bool triple = _pos + 2 < _src.Length && _src[_pos + 1] == q && _src[_pos + 2] == q;
        _pos += triple ? 3 : 1;
        var sb = new StringBuilder();
        var bb = bytes ? new List<byte>() : null;
        Span<byte> utf8 = stackalloc byte[4];
        while (true)
        {
            if (_pos >= _src.Length) throw Error(start, "unterminated string literal");
            char c = _src[_pos];
            if (triple)
            {
                if (c == q && _pos + 2 < _src.Length && _src[_pos + 1] == q && _src[_pos + 2] == q)
                {
                    _pos += 3;
                    break;
                }
            }
            else
            {
                if (c == q) { _pos++; break; }
                if (c is '\n' or '\r') throw Error(_pos, "unterminated string literal (newline in single-quoted string)");
            }
            if (c == '\\' && !raw)
            {
                int escStart = _pos;
                _pos++;
                if (_pos >= _src.Length) throw Error(escStart, "unterminated escape sequence");
                char e = _src[_pos++];
                switch (e)
                {
                    case 'a': Append(sb, bb, '\a'); break;
                    case 'b': Append(sb, bb, '\b'); break;
                    case 'f': Append(sb, bb, '\f'); break;
                    case 'n': Append(sb, bb, '\n'); break;
                    case 'r': Append(sb, bb, '\r'); break;
                    case 't': Append(sb, bb, '\t'); break;
                    case 'v': Append(sb, bb, '\v'); break;
                    case '\\' or '?' or '"' or '\'' or '`': Append(sb, bb, e); break;
                    case 'x' or 'X':
                        {
                            int v = Hex(escStart, 2);
                            if (bb != null) bb.Add((byte)v); else AppendCodePoint(sb, escStart, v);
                            break;
                        }
                    case 'u' or 'U':
                        {
                            if (bb != null) throw Error(escStart, "unicode escape in bytes literal");
                            int v = Hex(escStart, e == 'u' ? 4 : 8);
                            AppendCodePoint(sb, escStart, v);
                            break;
                        }
                    case >= '0' and <= '3':
                        {
                            if (_pos + 1 >= _src.Length || !IsOctal(_src[_pos]) || !IsOctal(_src[_pos + 1]))
                                throw Error(escStart, "invalid octal escape sequence");
                            int v = ((e - '0') * 64) + ((_src[_pos] - '0') * 8) + (_src[_pos + 1] - '0');
                            _pos += 2;
                            if (bb != null) bb.Add((byte)v); else AppendCodePoint(sb, escStart, v);
                            break;
                        }
                    default:
                        throw Error(escStart, $"invalid escape sequence: \\{e}");
                }
                continue;
            }
            if (bb != null)
            {
                int cp = c;
                if (char.IsHighSurrogate(c) && _pos + 1 < _src.Length && char.IsLowSurrogate(_src[_pos + 1]))
                {
                    cp = char.ConvertToUtf32(c, _src[_pos + 1]);
                    _pos++;
                }
                var rune = Rune.IsValid(cp) ? new Rune(cp) : Rune.ReplacementChar;
                int w = rune.EncodeToUtf8(utf8);
                for (int i = 0; i < w; i++) bb.Add(utf8[i]);
            }
            else
            {
                sb.Append(c);
            }
            _pos++;
        }
        if (bb != null) return new Token(TokenKind.Bytes, start, "", CelValue.FromBytes(bb.ToArray()));
        return new Token(TokenKind.String, start, "", CelValue.FromString(sb.ToString()));
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    private static void Append(StringBuilder sb, List<byte>? bb, char c)
    {
        if (bb != null) bb.Add((byte)c); else sb.Append(c);
    }

    private void AppendCodePoint(StringBuilder sb, int at, int cp)
    {
        if (!Rune.IsValid(cp)) throw Error(at, "invalid unicode code point in escape sequence");
        sb.Append(new Rune(cp).ToString());
    }

    private int Hex(int at, int digits)
    {
        if (_pos + digits > _src.Length) throw Error(at, "truncated escape sequence");
        int v = 0;
        for (int i = 0; i < digits; i++)
        {
            char h = _src[_pos + i];
            if (!char.IsAsciiHexDigit(h)) throw Error(at, "invalid hexadecimal escape sequence");
            int d = h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10;
            if (v > 0x10FFFF) throw Error(at, "invalid unicode code point in escape sequence");
            v = (v * 16) + d;
        }
        _pos += digits;
        return v;
    }
}
