using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>
/// RE2 patterns on .NET: translated so that classes mean what RE2 means (<c>\d</c> is ASCII, <c>$</c> is end of text
/// without (?m)), compiled with the linear-time non-backtracking engine, and rejected when they use syntax that RE2
/// lacks (lookaround, backreferences, atomic groups, conditionals) or that .NET would read differently.
/// </summary>
internal static class Re2
{
    private static readonly ConcurrentDictionary<string, object> Cache = new(StringComparer.Ordinal);
    private const int CacheLimit = 512;

    /// <summary>The compiled regex, or an error value (as a string) describing why the pattern is rejected.</summary>
    public static bool TryGet(string pattern, out Regex? regex, out string? error)
    {
        if (!Cache.TryGetValue(pattern, out var entry))
        {
            entry = Compile(pattern);
            if (Cache.Count >= CacheLimit) Cache.Clear();
            Cache.TryAdd(pattern, entry);
        }
        regex = entry as Regex;
        error = entry as string;
        return regex != null;
    }

    public static CelValue Matches(CelValue s, CelValue pattern)
    {
        if (s.Kind != CelKind.String || pattern.Kind != CelKind.String) return Err.NoOverload("matches", s, pattern);
        if (!TryGet(pattern.AsString, out var re, out var error)) return Err.Invalid(error!);
        try
        {
            return CelValue.FromBool(re!.IsMatch(s.AsString));
        }
        catch (RegexMatchTimeoutException)
        {
            return CelValue.FromError(CelErrorKind.BudgetExceeded, "regular expression match timed out");
        }
    }

    private static object Compile(string pattern)
    {
        string translated;
        try
        {
            translated = Translate(pattern);
        }
        catch (FormatException e)
        {
            return $"invalid regular expression '{pattern}': {e.Message}";
        }
        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return $"invalid regular expression '{pattern}': {e.Message}";
        }
    }

    internal static string Translate(string p)
    {
        var sb = new StringBuilder(p.Length + 16);
        bool inClass = false;
        bool multiline = false;
        for (int i = 0; i < p.Length; i++)
        {
            char c = p[i];
            if (c == '\\')
            {
                if (i + 1 >= p.Length) throw new FormatException("trailing backslash");
                char e = p[++i];
                switch (e)
                {
                    case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); break;
                    case 'D': sb.Append(inClass ? throw new FormatException(@"\D inside a class is not supported") : "[^0-9]"); break;
                    case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); break;
                    case 'W': sb.Append(inClass ? throw new FormatException(@"\W inside a class is not supported") : "[^0-9A-Za-z_]"); break;
                    case 's': sb.Append(inClass ? @"\t\n\f\r " : @"[\t\n\f\r ]"); break;
                    case 'S': sb.Append(inClass ? throw new FormatException(@"\S inside a class is not supported") : @"[^\t\n\f\r ]"); break;
                    case 'p' or 'P':
                        if (i + 1 < p.Length && p[i + 1] != '{')
                        {
                            sb.Append('\\').Append(e).Append('{').Append(p[++i]).Append('}');
                        }
                        else
                        {
                            sb.Append('\\').Append(e);
                        }
                        break;
                    case >= '1' and <= '9': throw new FormatException("backreferences are not supported");
                    case 'k' or 'Z' or 'G' or 'Q' or 'E' or 'C' or 'e' or 'c' or 'X' or 'R' or 'K' or 'h' or 'H' or 'V' or 'N' or 'g':
                        throw new FormatException($"invalid escape sequence \\{e}");
                    default: sb.Append('\\').Append(e); break;
                }
                continue;
            }
            if (inClass)
            {
                if (c == ']') inClass = false;
                else if (c == '[' && i + 1 < p.Length && p[i + 1] == ':')
                {
                    int end = p.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    if (end < 0) throw new FormatException("unterminated character class name");
                    sb.Append(PosixClass(p[(i + 2)..end]));
                    i = end + 1;
                    continue;
                }
                sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append(c);
                    if (i + 1 < p.Length && p[i + 1] == '^') sb.Append(p[++i]);
                    if (i + 1 < p.Length && p[i + 1] == ']') { sb.Append(@"\]"); i++; }
                    continue;
                case '$':
                    sb.Append(multiline ? "$" : "\\z");
                    continue;
                case '(':
                    if (i + 1 < p.Length && p[i + 1] == '?')
                    {
                        if (i + 2 >= p.Length) throw new FormatException("missing argument to repetition operator: ?");
                        char g = p[i + 2];
                        if (g == 'P' && i + 3 < p.Length && p[i + 3] == '<')
                        {
                            sb.Append("(?<");
                            i += 3;
                            continue;
                        }
                        if (g is '=' or '!' or '>' or '(' or '#') throw new FormatException($"invalid or unsupported Perl syntax: (?{g}");
                        if (g == '<' && i + 3 < p.Length && p[i + 3] is '=' or '!')
                            throw new FormatException("lookbehind is not supported");
                        if (g != '<' && g != ':')
                        {
                            // Flag group: RE2 knows i, m, s, U.
                            int j = i + 2;
                            while (j < p.Length && p[j] is not (')' or ':'))
                            {
                                if (p[j] == 'U') throw new FormatException("the U (ungreedy) flag is not supported");
                                if (p[j] is not ('i' or 'm' or 's' or '-')) throw new FormatException($"invalid or unsupported Perl syntax: (?{p[j]}");
                                if (p[j] == 'm') multiline = true;
                                j++;
                            }
                        }
                    }
                    sb.Append(c);
                    continue;
                default:
                    sb.Append(c);
                    continue;
            }
        }
        if (inClass) throw new FormatException("missing closing ]");
        return sb.ToString();
    }

    private static string PosixClass(string name) => name switch
    {
        "alnum" => "0-9A-Za-z",
        "alpha" => "A-Za-z",
        "ascii" => @"\x00-\x7F",
        "blank" => @"\t ",
        "cntrl" => @"\x00-\x1F\x7F",
        "digit" => "0-9",
        "graph" => @"!-~",
        "lower" => "a-z",
        "print" => @" -~",
        "punct" => @"!-/:-@\[-`{-~",
        "space" => @"\t\n\v\f\r ",
        "upper" => "A-Z",
        "word" => "0-9A-Za-z_",
        "xdigit" => "0-9A-Fa-f",
        _ => throw new FormatException($"invalid character class range: [:{name}:]"),
    };
}
