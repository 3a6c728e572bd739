using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenChoreo.Certificates;

/// <summary>Parses Go durations as cert-manager writes them (<c>2160h</c>, <c>1h30m</c>, <c>90s</c>, <c>500ms</c>).</summary>
public static partial class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || !WholeRegex().IsMatch(text)) return false;
        foreach (Match m in PartRegex().Matches(text))
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            value += m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                "ms" => TimeSpan.FromMilliseconds(n),
                _ => TimeSpan.Zero,
            };
        }
        return value > TimeSpan.Zero;
    }

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(h|ms|m|s))+$")]
    private static partial Regex WholeRegex();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s)")]
    private static partial Regex PartRegex();
}
