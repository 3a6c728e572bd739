namespace OpenChoreo.Model;

/// <summary>
/// A Kubernetes label selector in its string form: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>,
/// <c>a notin (x)</c>, <c>a</c> (exists) and <c>!a</c> (does not exist), joined by commas (AND).
/// </summary>
public sealed class LabelSelector
{
    public const int MaxLength = 4096;

    private readonly Requirement[] _requirements;

    private LabelSelector(Requirement[] requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Length == 0;

    public IReadOnlyList<Requirement> Requirements => _requirements;

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _requirements)
        {
            if (!r.Matches(labels)) return false;
        }
        return true;
    }

    /// <summary>Parses a selector; throws <see cref="FormatException"/> with a message that names the problem.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        if (text.Length > MaxLength) throw new FormatException($"label selector is longer than {MaxLength} characters");
        var parser = new Parser(text);
        return new LabelSelector(parser.ParseAll());
    }

    public static bool TryParse(string? text, out LabelSelector selector, out string? error)
    {
        try
        {
            selector = Parse(text);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            selector = Everything;
            error = e.Message;
            return false;
        }
    }

    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));

    public enum Operator { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }

    public sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var v);
            return Op switch
            {
                Operator.Equals or Operator.In => has && Values.Contains(v!),
                Operator.NotEquals or Operator.NotIn => !has || !Values.Contains(v!),
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                _ => false,
            };
        }

        public override string ToString() => Op switch
        {
            Operator.Equals => $"{Key}={Values[0]}",
            Operator.NotEquals => $"{Key}!={Values[0]}",
            Operator.In => $"{Key} in ({string.Join(",", Values)})",
            Operator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
            Operator.Exists => Key,
            _ => "!" + Key,
        };
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public Requirement[] ParseAll()
        {
            var list = new List<Requirement>();
            while (true)
            {
                SkipSpace();
                list.Add(ParseOne());
                SkipSpace();
                if (_pos >= text.Length) break;
                if (text[_pos] != ',') throw Error($"expected ',' at position {_pos}");
                _pos++;
            }
            return list.ToArray();
        }

        private Requirement ParseOne()
        {
            if (Peek() == '!')
            {
                _pos++;
                SkipSpace();
                return new Requirement(ReadKey(), Operator.DoesNotExist, []);
            }
            var key = ReadKey();
            SkipSpace();
            if (_pos >= text.Length || text[_pos] == ',') return new Requirement(key, Operator.Exists, []);
            if (Match("==") || Match("=")) return new Requirement(key, Operator.Equals, [ReadValue()]);
            if (Match("!=")) return new Requirement(key, Operator.NotEquals, [ReadValue()]);
            if (MatchWord("notin")) return new Requirement(key, Operator.NotIn, ReadSet());
            if (MatchWord("in")) return new Requirement(key, Operator.In, ReadSet());
            throw Error($"unexpected '{text[_pos]}' after key '{key}' at position {_pos}");
        }

        private IReadOnlyList<string> ReadSet()
        {
            SkipSpace();
            if (!Match("(")) throw Error($"expected '(' at position {_pos}");
            var values = new List<string>();
            while (true)
            {
                SkipSpace();
                values.Add(ReadValue());
                SkipSpace();
                if (Match(")")) break;
                if (!Match(",")) throw Error($"expected ',' or ')' at position {_pos}");
            }
            return values;
        }

        private string ReadKey()
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '-' or '_' or '.' or '/')) _pos++;
            var key = text[start.._pos];
            if (key.Length == 0) throw Error($"expected a label key at position {start}");
            if (!Names.IsQualifiedName(key)) throw Error($"invalid label key '{key}'");
            return key;
        }

        private string ReadValue()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '-' or '_' or '.')) _pos++;
            var value = text[start.._pos];
            if (!Names.IsLabelValue(value)) throw Error($"invalid label value '{value}'");
            return value;
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private bool Match(string s)
        {
            if (string.CompareOrdinal(text, _pos, s, 0, s.Length) != 0) return false;
            _pos += s.Length;
            return true;
        }

        private bool MatchWord(string w)
        {
            if (string.CompareOrdinal(text, _pos, w, 0, w.Length) != 0) return false;
            var end = _pos + w.Length;
            if (end < text.Length && char.IsAsciiLetterOrDigit(text[end])) return false;
            _pos = end;
            return true;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] == ' ') _pos++;
        }

        private static FormatException Error(string message) => new($"invalid label selector: {message}");
    }
}
