using System.Globalization;
using System.Text;

namespace OpenChoreo.Cel.Tests.Conformance;

/// <summary>A protobuf text-format message: ordered fields, each a nested message or a scalar token.</summary>
internal sealed class TpMessage
{
    public List<(string Name, object Value)> Fields { get; } = [];

    public TpMessage? Msg(string name) => Fields.FirstOrDefault(f => f.Name == name).Value as TpMessage;

    public IEnumerable<TpMessage> Msgs(string name) => Fields.Where(f => f.Name == name).Select(f => f.Value).OfType<TpMessage>();

    public TpScalar? Scalar(string name) => Fields.FirstOrDefault(f => f.Name == name).Value as TpScalar;

    public string? Str(string name) => Scalar(name)?.Text;

    public bool Has(string name) => Fields.Any(f => f.Name == name);
}

/// <summary>A scalar: a quoted string (decoded to bytes), a number or an identifier (enum, bool).</summary>
internal sealed record TpScalar(string Text, byte[]? Bytes, bool Quoted)
{
    public long Int => long.Parse(Text, CultureInfo.InvariantCulture);

    public ulong UInt => ulong.Parse(Text, CultureInfo.InvariantCulture);

    public double Double => Text.ToLowerInvariant() switch
    {
        "inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        "nan" => double.NaN,
        _ => double.Parse(Text.TrimEnd('f', 'F'), NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}

/// <summary>Reads the text format used by the cel-spec conformance files (enough of it for SimpleTestFile).</summary>
internal sealed class TextProtoReader
{
    private readonly string _s;
    private int _p;

    private TextProtoReader(string s) => _s = s;

    public static TpMessage Parse(string text)
    {
        var r = new TextProtoReader(text);
        var m = r.ReadFields(endChar: null);
        return m;
    }

    private FormatException Fail(string what)
    {
        int line = _s.AsSpan(0, Math.Min(_p, _s.Length)).Count('\n') + 1;
        return new FormatException($"textproto line {line}: {what}");
    }

    private void Skip()
    {
        while (_p < _s.Length)
        {
            char c = _s[_p];
            if (char.IsWhiteSpace(c)) { _p++; continue; }
            if (c == '#') { while (_p < _s.Length && _s[_p] != '\n') _p++; continue; }
            break;
        }
    }

    private TpMessage ReadFields(char? endChar)
    {
        var m = new TpMessage();
        while (true)
        {
            Skip();
            if (_p >= _s.Length)
            {
                if (endChar != null) throw Fail("unexpected end of input");
                return m;
            }
            if (endChar != null && _s[_p] == endChar) { _p++; return m; }
            string name = ReadName();
            Skip();
            bool colon = false;
            if (_p < _s.Length && _s[_p] == ':') { _p++; colon = true; Skip(); }
            if (_p < _s.Length && _s[_p] is '{' or '<')
            {
                char close = _s[_p] == '{' ? '}' : '>';
                _p++;
                m.Fields.Add((name, ReadFields(close)));
            }
            else if (_p < _s.Length && _s[_p] == '[' && colon)
            {
                _p++;
                while (true)
                {
                    Skip();
                    if (_s[_p] == ']') { _p++; break; }
                    if (_s[_p] is '{' or '<')
                    {
                        char close = _s[_p] == '{' ? '}' : '>';
                        _p++;
                        m.Fields.Add((name, ReadFields(close)));
                    }
                    else
                    {
                        m.Fields.Add((name, ReadScalar()));
                    }
                    Skip();
                    if (_s[_p] == ',') _p++;
                }
            }
            else
            {
                if (!colon) throw Fail($"expected ':' after {name}");
                m.Fields.Add((name, ReadScalar()));
            }
            Skip();
            if (_p < _s.Length && _s[_p] is ',' or ';') _p++;
        }
    }

    private string ReadName()
    {
        if (_s[_p] == '[')
        {
            int end = _s.IndexOf(']', _p);
            string n = _s.Substring(_p, end - _p + 1);
            _p = end + 1;
            return n;
        }
        int start = _p;
        while (_p < _s.Length && (char.IsAsciiLetterOrDigit(_s[_p]) || _s[_p] is '_' or '.')) _p++;
        if (start == _p) throw Fail($"expected a field name at '{_s[_p]}'");
        return _s[start.._p];
    }

    private TpScalar ReadScalar()
    {
        Skip();
        char c = _s[_p];
        if (c is '"' or '\'')
        {
            var bytes = new List<byte>();
            while (_p < _s.Length && _s[_p] is '"' or '\'')
            {
                ReadQuoted(bytes);
                Skip();
            }
            var arr = bytes.ToArray();
            return new TpScalar(Encoding.UTF8.GetString(arr), arr, true);
        }
        int start = _p;
        while (_p < _s.Length && (char.IsAsciiLetterOrDigit(_s[_p]) || _s[_p] is '_' or '.' or '-' or '+')) _p++;
        if (start == _p) throw Fail($"unexpected '{c}'");
        return new TpScalar(_s[start.._p], null, false);
    }

    private void ReadQuoted(List<byte> bytes)
    {
        char q = _s[_p++];
        Span<byte> utf8 = stackalloc byte[4];
        while (true)
        {
            if (_p >= _s.Length) throw Fail("unterminated string");
            char c = _s[_p++];
            if (c == q) return;
            if (c != '\\')
            {
                int cp = c;
                if (char.IsHighSurrogate(c)) cp = char.ConvertToUtf32(c, _s[_p++]);
                int n = new Rune(cp).EncodeToUtf8(utf8);
                for (int i = 0; i < n; i++) bytes.Add(utf8[i]);
                continue;
            }
            char e = _s[_p++];
            switch (e)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'v': bytes.Add(11); break;
                case '\\' or '\'' or '"' or '?': bytes.Add((byte)e); break;
                case 'x' or 'X':
                    {
                        int start = _p;
                        while (_p < _s.Length && _p - start < 2 && char.IsAsciiHexDigit(_s[_p])) _p++;
                        bytes.Add(byte.Parse(_s.AsSpan(start, _p - start), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        break;
                    }
                case 'u' or 'U':
                    {
                        int len = e == 'u' ? 4 : 8;
                        int cp = int.Parse(_s.AsSpan(_p, len), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        _p += len;
                        int n = new Rune(cp).EncodeToUtf8(utf8);
                        for (int i = 0; i < n; i++) bytes.Add(utf8[i]);
                        break;
                    }
                case >= '0' and <= '7':
                    {
                        int v = e - '0';
                        for (int i = 0; i < 2 && _p < _s.Length && _s[_p] is >= '0' and <= '7'; i++) v = (v * 8) + (_s[_p++] - '0');
                        bytes.Add((byte)v);
                        break;
                    }
                default: throw Fail($"bad escape \\{e}");
            }
        }
    }
}
