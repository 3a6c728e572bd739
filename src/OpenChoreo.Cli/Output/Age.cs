namespace OpenChoreo.Cli.Output;

/// <summary>Human durations as kubectl prints them in the AGE column (e.g. 45s, 3m12s, 5h, 12d).</summary>
public static class Age
{
    public static string Format(TimeSpan d)
    {
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        var s = (long)d.TotalSeconds;
        if (s < 120) return $"{s}s";
        var m = s / 60;
        if (m < 10) return s % 60 == 0 ? $"{m}m" : $"{m}m{s % 60}s";
        if (m < 180) return $"{m}m";
        var h = m / 60;
        if (h < 8) return m % 60 == 0 ? $"{h}h" : $"{h}h{m % 60}m";
        if (h < 48) return $"{h}h";
        var days = h / 24;
        if (days < 8) return h % 24 == 0 ? $"{days}d" : $"{days}d{h % 24}h";
        if (days < 730) return $"{days}d";
        return $"{days / 365}y";
    }

    public static string Since(DateTimeOffset? t, DateTimeOffset now) => t is null ? "<unknown>" : Format(now - t.Value);
}
