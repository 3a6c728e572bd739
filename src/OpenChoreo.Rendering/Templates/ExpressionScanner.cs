namespace OpenChoreo.Rendering.Templates;

/// <summary>A <c>${…}</c> occurrence: where it sits in its string and the expression inside.</summary>
public readonly record struct ExpressionSpan(int Start, int End, string Expression);

/// <summary>
/// Finds <c>${…}</c> expressions in a string. Braces are balanced outside string literals, so
/// <c>${ {"a": 1}["a"] }</c> is one expression; a <c>${</c> nested outside quotes is rejected.
/// </summary>
public static class ExpressionScanner
{
    /// <summary>Returns the spans, or an error message (nested or unclosed expression).</summary>
    public static IReadOnlyList<ExpressionSpan> Scan(string text, out string? error)
    {
        error = null;
        int first = text.IndexOf("${", StringComparison.Ordinal);
        if (first < 0) return [];
        var spans = new List<ExpressionSpan>(2);
        int i = first;
        while (i >= 0 && i < text.Length)
        {
            int start = i;
            int depth = 1, pos = start + 2;
            char quote = '\0';
            bool escaped = false;
            while (pos < text.Length && depth > 0)
            {
                char c = text[pos];
                if (quote != '\0')
                {
                    if (escaped) escaped = false;
                    else if (c == '\\') escaped = true;
                    else if (c == quote) quote = '\0';
                }
                else
                {
                    switch (c)
                    {
                        case '\'' or '"': quote = c; break;
                        case '{': depth++; break;
                        case '}': depth--; break;
                        case '$' when pos + 1 < text.Length && text[pos + 1] == '{':
                            error = $"nested expression: \"{Clip(text[start..(pos + 2)])}\" (quote a literal \"${{\" inside the expression)";
                            return spans;
                    }
                }
                pos++;
            }
            if (depth != 0)
            {
                error = $"unclosed expression: \"{Clip(text[start..])}\"";
                return spans;
            }
            spans.Add(new ExpressionSpan(start, pos, text[(start + 2)..(pos - 1)]));
            i = text.IndexOf("${", pos, StringComparison.Ordinal);
        }
        return spans;
    }

    internal static string Clip(string s) => s.Length > 60 ? s[..57] + "..." : s;
}
