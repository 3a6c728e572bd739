namespace OpenChoreo.Validation.Rules;

/// <summary>
/// Finds whether a CEL expression refers to the variable <c>oldSelf</c>: an identifier outside string literals that
/// is not a field selection (<c>x.oldSelf</c>). This decides whether a rule is a transition rule.
/// </summary>
internal static class OldSelfScanner
{
    public static bool References(string expr)
    {
        var i = 0;
        while (i < expr.Length)
        {
            var c = expr[i];
            if (c is '"' or '\'')
            {
                i = SkipString(expr, i);
                continue;
            }
            if ((c is 'r' or 'R' or 'b' or 'B') && i + 1 < expr.Length && expr[i + 1] is '"' or '\'' && !IsIdentPart(Prev(expr, i)))
            {
                i = SkipString(expr, i + 1, raw: c is 'r' or 'R');
                continue;
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < expr.Length && IsIdentPart(expr[i])) i++;
                if (expr.AsSpan(start, i - start).SequenceEqual("oldSelf") && !IsSelection(expr, start)) return true;
                continue;
            }
            i++;
        }
        return false;
    }

    private static bool IsSelection(string expr, int identStart)
    {
        var j = identStart - 1;
        while (j >= 0 && char.IsWhiteSpace(expr[j])) j--;
        return j >= 0 && expr[j] == '.' && !(j > 0 && expr[j - 1] == '.');
    }

    private static int SkipString(string expr, int quoteAt, bool raw = false)
    {
        var q = expr[quoteAt];
        var triple = quoteAt + 2 < expr.Length && expr[quoteAt + 1] == q && expr[quoteAt + 2] == q;
        var i = quoteAt + (triple ? 3 : 1);
        while (i < expr.Length)
        {
            if (!raw && expr[i] == '\\')
            {
                i += 2;
                continue;
            }
            if (expr[i] == q && (!triple || (i + 2 < expr.Length && expr[i + 1] == q && expr[i + 2] == q)))
            {
                return i + (triple ? 3 : 1);
            }
            i++;
        }
        return i;
    }

    private static char Prev(string s, int i) => i > 0 ? s[i - 1] : ' ';

    private static bool IsIdentPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
