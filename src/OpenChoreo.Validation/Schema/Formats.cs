using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace OpenChoreo.Validation.Schema;

/// <summary>
/// The string formats the Kubernetes API server checks for CRDs. Formats it does not know (and numeric formats such
/// as int32/int64, which only describe the wire type) are accepted as-is, as Kubernetes does.
/// </summary>
internal static partial class Formats
{
    /// <summary>Returns the name to show in the error when <paramref name="value"/> fails <paramref name="format"/>; null when valid or unchecked.</summary>
    public static string? Check(string format, string value)
    {
        var ok = format switch
        {
            "date-time" or "datetime" => IsDateTime(value),
            "date" => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "uuid" or "uuid3" or "uuid4" or "uuid5" => Uuid().IsMatch(value),
            "byte" => IsBase64(value),
            "ipv4" => IPAddress.TryParse(value, out var a4) && a4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && Ipv4().IsMatch(value),
            "ipv6" => value.Contains(':') && IPAddress.TryParse(value, out var a6) && a6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
            "cidr" => IPNetwork.TryParse(value, out _) && value.Contains('/'),
            "hostname" => Hostname().IsMatch(value) && value.Length <= 255,
            "email" => Email().IsMatch(value),
            "uri" => Uri.TryCreate(value, UriKind.Absolute, out _),
            "mac" => Mac().IsMatch(value),
            "hexcolor" => HexColor().IsMatch(value),
            "bsonobjectid" => BsonId().IsMatch(value),
            "duration" => Duration().IsMatch(value),
            _ => true,
        };
        return ok ? null : format;
    }

    private static bool IsDateTime(string value)
    {
        var m = DateTimeShape().Match(value);
        if (!m.Success) return false;
        return DateOnly.TryParseExact(m.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) &&
               int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) < 24 &&
               int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) < 60 &&
               (!m.Groups[4].Success || int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) < 61);
    }

    private static bool IsBase64(string value)
    {
        if (value.Length % 4 != 0) return false;
        var buffer = new byte[value.Length / 4 * 3];
        return Convert.TryFromBase64String(value, buffer, out _);
    }

    [GeneratedRegex(@"^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?$")]
    private static partial Regex DateTimeShape();

    [GeneratedRegex("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")]
    private static partial Regex Uuid();

    [GeneratedRegex(@"^([0-9]{1,3}\.){3}[0-9]{1,3}$")]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$")]
    private static partial Regex Hostname();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+$")]
    private static partial Regex Email();

    [GeneratedRegex("^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}$")]
    private static partial Regex Mac();

    [GeneratedRegex("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex HexColor();

    [GeneratedRegex("^[0-9a-fA-F]{24}$")]
    private static partial Regex BsonId();

    [GeneratedRegex(@"^[-+]?([0-9]+(\.[0-9]*)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$")]
    private static partial Regex Duration();
}
