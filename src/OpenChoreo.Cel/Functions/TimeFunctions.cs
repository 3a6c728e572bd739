using System.Collections.Concurrent;
using System.Globalization;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>Timestamp and duration accessors (<c>getFullYear</c>, <c>getHours</c>...), optionally in a time zone.</summary>
internal static class TimeFunctions
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> Zones = new(StringComparer.OrdinalIgnoreCase);

    public static void Register(FunctionTable t)
    {
        Accessor(t, "getFullYear", d => d.Year, null);
        Accessor(t, "getMonth", d => d.Month - 1, null);
        Accessor(t, "getDayOfYear", d => d.DayOfYear - 1, null);
        Accessor(t, "getDayOfMonth", d => d.Day - 1, null);
        Accessor(t, "getDate", d => d.Day, null);
        Accessor(t, "getDayOfWeek", d => (int)d.DayOfWeek, null);
        Accessor(t, "getHours", d => d.Hour, n => n / 3_600_000_000_000L);
        Accessor(t, "getMinutes", d => d.Minute, n => n / 60_000_000_000L);
        Accessor(t, "getSeconds", d => d.Second, n => n / 1_000_000_000L);
        Accessor(t, "getMilliseconds", null, n => n / 1_000_000L % 1000);
    }

    private static void Accessor(FunctionTable t, string name, Func<DateTime, int>? ofTime, Func<long, long>? ofDuration)
    {
        t.Unary(name, v =>
        {
            if (v.Kind == CelKind.Timestamp)
            {
                if (name == "getMilliseconds") return CelValue.FromInt(v.TimestampNanos / 1_000_000);
                if (ofTime != null) return CelValue.FromInt(ofTime(Utc(v)));
            }
            if (v.Kind == CelKind.Duration && ofDuration != null) return CelValue.FromInt(ofDuration(v.DurationNanos));
            return Err.NoOverload(name, v);
        }, CallStyle.Receiver);
        t.Binary(name, (v, tz) =>
        {
            if (v.Kind != CelKind.Timestamp || tz.Kind != CelKind.String) return Err.NoOverload(name, v, tz);
            if (name == "getMilliseconds") return CelValue.FromInt(v.TimestampNanos / 1_000_000);
            if (ofTime == null) return Err.NoOverload(name, v, tz);
            var local = InZone(v, tz.AsString, out var error);
            return local is { } l ? CelValue.FromInt(ofTime(l)) : error;
        }, CallStyle.Receiver);
    }

    private static DateTime Utc(CelValue ts) => DateTime.UnixEpoch.AddSeconds(ts.TimestampSeconds);

    private static DateTime? InZone(CelValue ts, string zone, out CelValue error)
    {
        error = default;
        var utc = Utc(ts);
        TimeSpan offset;
        if (TryParseOffset(zone, out var fixedOffset))
        {
            offset = fixedOffset;
        }
        else
        {
            var tz = Zones.GetOrAdd(zone, static z =>
            {
                try { return TimeZoneInfo.FindSystemTimeZoneById(z); }
                catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
            });
            if (tz == null)
            {
                error = Err.Invalid($"unknown time zone '{zone}'");
                return null;
            }
            offset = tz.GetUtcOffset(utc);
        }
        long ticks = utc.Ticks + offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            error = Err.Overflow("timestamp out of range in time zone");
            return null;
        }
        return new DateTime(ticks, DateTimeKind.Unspecified);
    }

    /// <summary>"+05:30", "-08:00", "05:30" (cel-go accepts a bare hh:mm offset as well).</summary>
    private static bool TryParseOffset(string s, out TimeSpan offset)
    {
        offset = default;
        int sign = 1;
        string rest = s;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            sign = s[0] == '-' ? -1 : 1;
            rest = s[1..];
        }
        var parts = rest.Split(':');
        if (parts.Length != 2) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)) return false;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m)) return false;
        if (h > 23 || m > 59) return false;
        offset = TimeSpan.FromMinutes(sign * ((h * 60) + m));
        return true;
    }
}
