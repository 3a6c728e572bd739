using System.Globalization;
using System.Text;

namespace OpenChoreo.Cel.Runtime;

/// <summary>RFC 3339 timestamps and protobuf-style durations ("1.5s", "1h30m") in text.</summary>
internal static class TimeFormat
{
    public static string FormatTimestamp(CelValue ts)
    {
        var dt = DateTimeOffset.UnixEpoch.AddSeconds(ts.TimestampSeconds);
        var sb = new StringBuilder(dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(sb, ts.TimestampNanos);
        sb.Append('Z');
        return sb.ToString();
    }

    private static void AppendFraction(StringBuilder sb, long nanos)
    {
        if (nanos == 0) return;
        string f = nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        sb.Append('.').Append(f);
    }

    public static string FormatDuration(long nanos)
    {
        var sb = new StringBuilder();
        if (nanos < 0) sb.Append('-');
        ulong abs = nanos < 0 ? (ulong)(-(nanos + 1)) + 1 : (ulong)nanos;
        sb.Append((abs / 1_000_000_000UL).ToString(CultureInfo.InvariantCulture));
        AppendFraction(sb, (long)(abs % 1_000_000_000UL));
        sb.Append('s');
        return sb.ToString();
    }

    /// <summary>Parses RFC 3339 (<c>2006-01-02T15:04:05.999999999Z07:00</c>); false when malformed or out of range.</summary>
    public static bool TryParseTimestamp(string s, out long seconds, out int nanos)
    {
        seconds = 0;
        nanos = 0;
        // yyyy-mm-ddThh:mm:ss[.f{1,9}](Z|±hh:mm)
        if (s.Length < 20) return false;
        if (!Digits(s, 0, 4, out int year) || s[4] != '-' || !Digits(s, 5, 2, out int month) || s[7] != '-'
            || !Digits(s, 8, 2, out int day) || (s[10] is not ('T' or 't')) || !Digits(s, 11, 2, out int hour)
            || s[13] != ':' || !Digits(s, 14, 2, out int minute) || s[16] != ':' || !Digits(s, 17, 2, out int second))
            return false;
        int p = 19;
        if (p < s.Length && s[p] == '.')
        {
            p++;
            int start = p;
            long frac = 0;
            while (p < s.Length && char.IsAsciiDigit(s[p]))
            {
                if (p - start >= 9) return false;
                frac = (frac * 10) + (s[p] - '0');
                p++;
            }
            int digits = p - start;
            if (digits == 0) return false;
            for (int i = digits; i < 9; i++) frac *= 10;
            nanos = (int)frac;
        }
        if (p >= s.Length) return false;
        int offsetSeconds = 0;
        if (s[p] is 'Z' or 'z')
        {
            p++;
        }
        else if (s[p] is '+' or '-')
        {
            int sign = s[p] == '-' ? -1 : 1;
            if (p + 6 != s.Length || !Digits(s, p + 1, 2, out int oh) || s[p + 3] != ':' || !Digits(s, p + 4, 2, out int om))
                return false;
            if (oh > 23 || om > 59) return false;
            offsetSeconds = sign * ((oh * 3600) + (om * 60));
            p += 6;
        }
        else
        {
            return false;
        }
        if (p != s.Length) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return false;
        var dt = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        seconds = (long)(dt - DateTime.UnixEpoch).TotalSeconds - offsetSeconds;
        return seconds >= CelValue.MinTimestampSeconds && seconds <= CelValue.MaxTimestampSeconds;
    }

    private static bool Digits(string s, int at, int n, out int value)
    {
        value = 0;
        if (at + n > s.Length) return false;
        for (int i = at; i < at + n; i++)
        {
            if (!char.IsAsciiDigit(s[i])) return false;
            value = (value * 10) + (s[i] - '0');
        }
        return true;
    }

    /// <summary>Parses Go duration syntax (<c>-1h30m</c>, <c>1.5s</c>, <c>300ms</c>, <c>2us</c>, <c>5ns</c>).</summary>
    public static bool TryParseDuration(string s, out long nanos)
    {
        nanos = 0;
        int p = 0;
        bool neg = false;
        if (p < s.Length && s[p] is '-' or '+') { neg = s[p] == '-'; p++; }
        if (p >= s.Length) return false;
        if (s.AsSpan(p).SequenceEqual("0")) return true;
        decimal total = 0;
        while (p < s.Length)
        {
            int start = p;
            while (p < s.Length && (char.IsAsciiDigit(s[p]) || s[p] == '.')) p++;
            if (p == start) return false;
            if (!decimal.TryParse(s.AsSpan(start, p - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal num))
                return false;
            int us = p;
            while (p < s.Length && !char.IsAsciiDigit(s[p]) && s[p] != '.') p++;
            decimal unit = s[us..p] switch
            {
                "h" => 3600e9m,
                "m" => 60e9m,
                "s" => 1e9m,
                "ms" => 1e6m,
                "us" or "µs" or "μs" => 1e3m,
                "ns" => 1m,
                _ => -1m,
            };
            if (unit < 0) return false;
            try { total += num * unit; }
            catch (OverflowException) { return false; }
        }
        if (neg) total = -total;
        total = decimal.Truncate(total);
        if (total > long.MaxValue || total < long.MinValue) return false;
        nanos = (long)total;
        return true;
    }
}
