namespace OpenChoreo.Validation.Rules;

/// <summary>
/// Applies a rule's <c>fieldPath</c> (relative, JSONPath-like: <c>.spec.foo</c>, <c>.map['key']</c>, <c>.list[0]</c>)
/// to the path of the node that declares the rule.
/// </summary>
internal static class RuleFieldPath
{
    public static FieldPath Append(FieldPath basePath, string? fieldPath)
    {
        if (string.IsNullOrEmpty(fieldPath)) return basePath;
        var path = basePath;
        var s = fieldPath.AsSpan();
        while (s.Length > 0)
        {
            if (s[0] == '.')
            {
                s = s[1..];
                var end = s.IndexOfAny('.', '[');
                var name = end < 0 ? s : s[..end];
                if (name.Length > 0) path = path.Child(name.ToString());
                s = end < 0 ? [] : s[end..];
            }
            else if (s[0] == '[')
            {
                var close = s.IndexOf(']');
                if (close < 0) return path;
                var inner = s[1..close].Trim();
                if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0]) path = path.Key(inner[1..^1].ToString());
                else if (int.TryParse(inner, out var i)) path = path.Index(i);
                else path = path.Key(inner.ToString());
                s = s[(close + 1)..];
            }
            else
            {
                // Tolerate a path written without the leading dot.
                s = ("." + s.ToString()).AsSpan();
            }
        }
        return path;
    }
}
