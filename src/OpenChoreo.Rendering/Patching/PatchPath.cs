using System.Text;

namespace OpenChoreo.Rendering.Patching;

/// <summary>One step of an extended JSON Pointer: a key/index, the <c>-</c> append marker, or an array filter.</summary>
internal readonly record struct PathSegment(string? Key, string? FilterField, string? FilterValue)
{
    public bool IsFilter => FilterField is not null;
}

/// <summary>
/// Parses JSON Pointers extended with array filters (<c>[?(@.name=='app')]</c>), accepting both
/// <c>/containers/[?(…)]/x</c> and <c>/containers[?(…)]/x</c>. Filters may hold '/' inside their quotes.
/// </summary>
internal static class PatchPath
{
    public static List<PathSegment> Parse(string path)
    {
        if (path.Length == 0) return [];
        if (path[0] != '/') throw new FormatException($"path \"{path}\" must start with '/'");
        var segments = new List<PathSegment>();
        int i = 1;
        var token = new StringBuilder();
        while (i <= path.Length)
        {
            if (i == path.Length || path[i] == '/')
            {
                AddToken(token.ToString(), segments, path);
                token.Clear();
                i++;
                if (i > path.Length) break;
                continue;
            }
            if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '?')
            {
                // Flush "containers" of "containers[?(…)]" first.
                if (token.Length > 0)
                {
                    AddToken(token.ToString(), segments, path);
                    token.Clear();
                }
                int end = FindFilterEnd(path, i);
                segments.Add(ParseFilter(path[i..(end + 1)], path));
                i = end + 1;
                if (i < path.Length && path[i] != '/') throw new FormatException($"path \"{path}\": expected '/' after the filter");
                if (i < path.Length) i++;
                else break;
                continue;
            }
            token.Append(path[i]);
            i++;
        }
        return segments;
    }

    private static void AddToken(string raw, List<PathSegment> into, string path)
    {
        into.Add(new PathSegment(raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal), null, null));
        _ = path;
    }

    private static int FindFilterEnd(string path, int start)
    {
        char quote = '\0';
        for (int i = start; i < path.Length; i++)
        {
            char c = path[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; continue; }
            if (c is '\'' or '"') quote = c;
            else if (c == ']') return i;
        }
        throw new FormatException($"path \"{path}\": unclosed array filter");
    }

    private static PathSegment ParseFilter(string text, string path)
    {
        // [?(@.field=='value')] — the field may be dotted (@.a.b).
        if (!text.StartsWith("[?(", StringComparison.Ordinal) || !text.EndsWith(")]", StringComparison.Ordinal))
            throw new FormatException($"path \"{path}\": malformed array filter {text} (expected [?(@.field=='value')])");
        var inner = text[3..^2].Trim();
        int eq = inner.IndexOf("==", StringComparison.Ordinal);
        if (!inner.StartsWith("@.", StringComparison.Ordinal) || eq < 0)
            throw new FormatException($"path \"{path}\": malformed array filter {text} (expected [?(@.field=='value')])");
        var field = inner[2..eq].Trim();
        var value = inner[(eq + 2)..].Trim();
        if (value.Length >= 2 && (value[0] == '\'' && value[^1] == '\'' || value[0] == '"' && value[^1] == '"')) value = value[1..^1];
        else throw new FormatException($"path \"{path}\": the filter value in {text} must be quoted");
        if (field.Length == 0) throw new FormatException($"path \"{path}\": empty filter field in {text}");
        return new PathSegment(null, field, value);
    }
}
