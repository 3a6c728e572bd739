using System.Security.Cryptography;
using System.Text;

namespace OpenChoreo.Rendering.Naming;

/// <summary>
/// Upstream-compatible Kubernetes name generation: readable sanitised parts, truncated evenly to fit a length limit,
/// followed by a hash of the original (unsanitised) parts so distinct inputs never collide after truncation.
/// Changing any output here renames every deployed resource, so the algorithm is pinned by tests.
/// </summary>
public static class NameGenerator
{
    /// <summary>Kubernetes object name limit (DNS-1123 subdomain).</summary>
    public const int MaxNameLength = 253;

    /// <summary>Namespace and label-value limit (DNS-1123 label).</summary>
    public const int MaxNamespaceLength = 63;

    private const int HashLength = 8;

    /// <summary>A name of at most 253 characters built from <paramref name="parts"/>.</summary>
    public static string Generate(params IReadOnlyList<string> parts) => Generate(MaxNameLength, parts);

    /// <summary>A name of at most <paramref name="limit"/> characters built from <paramref name="parts"/>.</summary>
    public static string Generate(int limit, IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("at least one name part is required", nameof(parts));
        var hash = Sha256Hex(string.Join('-', parts))[..HashLength];
        int separators = parts.Count; // between the parts, plus the one before the hash
        int budget = Math.Max(0, limit - HashLength - separators);
        int each = budget / parts.Count, extra = budget % parts.Count;
        var sb = new StringBuilder(limit);
        for (int i = 0; i < parts.Count; i++)
        {
            var clean = Sanitize(parts[i]);
            int allowed = each + (i < extra ? 1 : 0);
            sb.Append(clean.Length > allowed ? clean.AsSpan(0, allowed) : clean).Append('-');
        }
        sb.Append(hash);
        return TrimNonAlphanumeric(sb.ToString());
    }

    /// <summary>The data-plane name of a component's resources: <c>&lt;component&gt;-&lt;env&gt;-&lt;hash8&gt;</c>.</summary>
    public static string ResourceName(string component, string environment) => Generate(MaxNameLength, [component, environment]);

    /// <summary>The cell namespace: <c>dp-&lt;org&gt;-&lt;project&gt;-&lt;env&gt;-&lt;hash8&gt;</c>, at most 63 characters.</summary>
    public static string CellNamespace(string organization, string project, string environment) =>
        Generate(MaxNamespaceLength, ["dp", organization, project, environment]);

    /// <summary>
    /// The id of a rendered resource: <c>lower(kind)-name</c>; longer than 63 characters it is cut and suffixed with
    /// the first 8 hex digits of its SHA-256 so ids stay unique.
    /// </summary>
    public static string ResourceId(string kind, string name)
    {
        var id = $"{kind.ToLowerInvariant()}-{name}";
        if (id.Length <= MaxNamespaceLength) return id;
        var hash = Sha256Hex(id)[..HashLength];
        return TrimNonAlphanumeric(id[..(MaxNamespaceLength - HashLength - 1)]) + "-" + hash;
    }

    /// <summary>32-bit FNV-1a of the UTF-8 bytes, as 8 lower-case hex digits (<c>oc_hash</c>).</summary>
    public static string Fnv32a(string value)
    {
        uint h = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            h ^= b;
            h *= 16777619;
        }
        return h.ToString("x8");
    }

    internal static string Sha256Hex(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string Sanitize(string part)
    {
        var chars = part.ToLowerInvariant().ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.')) chars[i] = '-';
        }
        return new string(chars).Trim('-', '.');
    }

    private static string TrimNonAlphanumeric(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && !char.IsAsciiLetterOrDigit(s[start])) start++;
        while (end > start && !char.IsAsciiLetterOrDigit(s[end - 1])) end--;
        return s[start..end];
    }
}
