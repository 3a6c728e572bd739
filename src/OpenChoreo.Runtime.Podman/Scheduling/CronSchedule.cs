using System.Globalization;

namespace OpenChoreo.Runtime.Podman.Scheduling;

/// <summary>
/// A Kubernetes CronJob schedule: five fields (minute hour day-of-month month day-of-week) with lists, ranges, steps,
/// <c>*</c>, <c>?</c>, month and weekday names, or a macro (<c>@yearly</c>, <c>@annually</c>, <c>@monthly</c>,
/// <c>@weekly</c>, <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>). As in cron, when both day fields are restricted a
/// day matches if either does. Times are evaluated in a time zone (UTC unless the CronJob names one).
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly ulong _minutes;
    private readonly uint _hours;
    private readonly uint _daysOfMonth;
    private readonly uint _months;
    private readonly uint _daysOfWeek;
    private readonly bool _domStar;
    private readonly bool _dowStar;

    private CronSchedule(ulong minutes, uint hours, uint dom, uint months, uint dow, bool domStar, bool dowStar, string text)
    {
        (_minutes, _hours, _daysOfMonth, _months, _daysOfWeek, _domStar, _dowStar) = (minutes, hours, dom, months, dow, domStar, dowStar);
        Text = text;
    }

    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>Parses a schedule; the exception message says which field is wrong and why.</summary>
    public static CronSchedule Parse(string text)
    {
        var trimmed = text.Trim();
        var expanded = trimmed switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ when trimmed.StartsWith('@') => throw new FormatException($"unknown schedule macro \"{trimmed}\" (use @yearly, @monthly, @weekly, @daily or @hourly)"),
            _ => trimmed,
        };
        if (expanded.StartsWith("TZ=", StringComparison.Ordinal) || expanded.StartsWith("CRON_TZ=", StringComparison.Ordinal))
            throw new FormatException("a time zone inside the schedule is not supported: set spec.timeZone");
        var fields = expanded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) throw new FormatException($"a schedule has 5 fields (minute hour day-of-month month day-of-week), \"{trimmed}\" has {fields.Length}");
        var minutes = Field(fields[0], "minute", 0, 59, null);
        var hours = Field(fields[1], "hour", 0, 23, null);
        var dom = Field(fields[2], "day-of-month", 1, 31, null);
        var months = Field(fields[3], "month", 1, 12, Months);
        var dow = Field(fields[4].Replace("7", "0", StringComparison.Ordinal), "day-of-week", 0, 6, Days);
        return new CronSchedule(minutes, (uint)hours, (uint)dom, (uint)months, (uint)dow, IsStar(fields[2]), IsStar(fields[4]), trimmed);
    }

    private static bool IsStar(string f) => f is "*" or "?" || f.StartsWith("*/", StringComparison.Ordinal);

    private static ulong Field(string field, string name, int min, int max, string[]? names)
    {
        ulong bits = 0;
        foreach (var part in field.Split(','))
        {
            var stepAt = part.IndexOf('/');
            var range = stepAt < 0 ? part : part[..stepAt];
            var step = 1;
            if (stepAt >= 0 && (!int.TryParse(part[(stepAt + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step <= 0))
                throw new FormatException($"{name}: \"{part}\" has an invalid step");
            int lo, hi;
            if (range is "*" or "?")
            {
                (lo, hi) = (min, max);
            }
            else
            {
                var dash = range.IndexOf('-');
                lo = Value(dash < 0 ? range : range[..dash], name, min, max, names);
                hi = dash < 0 ? (stepAt >= 0 ? max : lo) : Value(range[(dash + 1)..], name, min, max, names);
                if (hi < lo) throw new FormatException($"{name}: range \"{range}\" ends before it starts");
            }
            for (var v = lo; v <= hi; v += step) bits |= 1UL << v;
        }
        return bits;
    }

    private static int Value(string text, string name, int min, int max, string[]? names)
    {
        if (names is not null && Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is var i and >= 0)
            return i + (min == 1 ? 1 : 0);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new FormatException($"{name}: \"{text}\" is not a value from {min} to {max}");
        return v;
    }

    /// <summary>The first schedule time strictly after <paramref name="after"/>, in <paramref name="zone"/>; null if none within 5 years.</summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        // Walk local wall-clock minutes; convert each match back to an instant. Skipped local times (DST gaps) never
        // match, repeated ones (DST overlap) fire once, at their first occurrence.
        var local = TimeZoneInfo.ConvertTime(after, zone);
        var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        var end = t.AddYears(5);
        while (t < end)
        {
            if ((_months & (1u << t.Month)) == 0)
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                continue;
            }
            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }
            if ((_hours & (1u << t.Hour)) == 0)
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }
            if ((_minutes & (1UL << t.Minute)) == 0)
            {
                t = t.AddMinutes(1);
                continue;
            }
            if (!zone.IsInvalidTime(t))
            {
                var offset = zone.IsAmbiguousTime(t) ? zone.GetAmbiguousTimeOffsets(t).Max() : zone.GetUtcOffset(t);
                var instant = new DateTimeOffset(t, offset);
                if (instant > after) return instant;
            }
            t = t.AddMinutes(1);
        }
        return null;
    }

    private bool DayMatches(DateTime t)
    {
        var dom = (_daysOfMonth & (1u << t.Day)) != 0;
        var dow = (_daysOfWeek & (1u << (int)t.DayOfWeek)) != 0;
        return _domStar || _dowStar ? dom && dow : dom || dow;
    }
}
