namespace OpenChoreo.Ingress;

/// <summary>What the gateway accepts as a host name or a path: anything else is refused before it reaches YARP.</summary>
internal static class HostnameRules
{
    public static bool IsDnsName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253) return false;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }
        return true;
    }

    /// <summary>A host name, or a Gateway API wildcard (<c>*.</c> followed by a DNS name).</summary>
    public static bool IsHostPattern(string? name) =>
        name is not null && (name.StartsWith("*.", StringComparison.Ordinal) ? IsDnsName(name[2..]) : IsDnsName(name));

    /// <summary>A path usable as a routing literal: absolute, no query or fragment, no template or control characters.</summary>
    public static bool IsPlainPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/' || path.Length > 1024 || path.Contains("//", StringComparison.Ordinal)) return false;
        foreach (var c in path)
            if (c <= ' ' || c >= 0x7f || c is '{' or '}' or '?' or '#' or '*' or '\\' or '%') return false;
        return true;
    }

    /// <summary>Host header without port, lower case.</summary>
    public static string HostOnly(string host)
    {
        if (host.StartsWith('['))
            return host;
        var colon = host.LastIndexOf(':');
        return (colon >= 0 ? host[..colon] : host).ToLowerInvariant();
    }
}
