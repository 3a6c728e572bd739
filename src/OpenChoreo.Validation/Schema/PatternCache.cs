using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenChoreo.Validation.Schema;

/// <summary>
/// Compiles schema <c>pattern</c>s once per process. Kubernetes evaluates them with Go's RE2; the closest .NET
/// engine is <see cref="RegexOptions.NonBacktracking"/> (linear time, no lookaround or backreferences), and the
/// RE2 meanings of <c>\d \w \s</c> (ASCII only) and <c>$</c> (end of text only) are translated.
/// </summary>
internal static class PatternCache
{
    private static readonly ConcurrentDictionary<(string, TimeSpan), (Regex? Regex, string? Error)> Cache = new();

    public static (Regex? Regex, string? Error) Get(string pattern, TimeSpan timeout) =>
        Cache.GetOrAdd((pattern, timeout), static key => Compile(key.Item1, key.Item2));

    private static (Regex?, string?) Compile(string pattern, TimeSpan timeout)
    {
        try
        {
            var regex = new Regex(ToDotNet(pattern),
                RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, timeout);
            // The first match builds the engine's automaton and JIT-compiles it; do that here, outside any request's
            // timeout, so the timeout only ever measures matching.
            try
            {
                regex.IsMatch("");
            }
            catch (RegexMatchTimeoutException)
            {
                // a busy machine; the next match will finish the warm-up
            }
            return (regex, null);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return (null, e.Message);
        }
    }

    internal static string ToDotNet(string re2)
    {
        var sb = new StringBuilder(re2.Length + 8);
        var inClass = false;
        for (var i = 0; i < re2.Length; i++)
        {
            var c = re2[i];
            if (c == '\\' && i + 1 < re2.Length)
            {
                var n = re2[++i];
                var (set, negated) = n switch
                {
                    'd' => ("0-9", false),
                    'w' => ("0-9A-Za-z_", false),
                    's' => ("\\t\\n\\f\\r ", false),
                    'D' => ("0-9", true),
                    'W' => ("0-9A-Za-z_", true),
                    'S' => ("\\t\\n\\f\\r ", true),
                    _ => ((string?)null, false),
                };
                if (set is null || (negated && inClass))
                {
                    sb.Append(c).Append(n);
                }
                else if (inClass)
                {
                    sb.Append(set);
                }
                else
                {
                    sb.Append(negated ? "[^" : "[").Append(set).Append(']');
                }
                continue;
            }
            if (inClass)
            {
                if (c == ']') inClass = false;
                sb.Append(c);
                continue;
            }
            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append(c);
                    // A ']' right after '[' or '[^' is a literal member, not the end of the class.
                    if (i + 1 < re2.Length && re2[i + 1] == '^') sb.Append(re2[++i]);
                    if (i + 1 < re2.Length && re2[i + 1] == ']')
                    {
                        sb.Append("\\]");
                        i++;
                    }
                    break;
                case '$':
                    sb.Append("\\z");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
