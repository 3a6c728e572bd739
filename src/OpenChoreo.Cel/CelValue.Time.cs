namespace OpenChoreo.Cel;

public readonly partial struct CelValue
{
    internal const long MinTimestampSeconds = -62135596800; // 0001-01-01T00:00:00Z
    internal const long MaxTimestampSeconds = 253402300799; // 9999-12-31T23:59:59Z

    /// <summary>A timestamp at <paramref name="value"/> (100 ns precision from .NET; CEL keeps nanoseconds).</summary>
    public static CelValue FromTimestamp(DateTimeOffset value)
    {
        long ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0) { seconds--; rem += TimeSpan.TicksPerSecond; }
        return new CelValue(CelKind.Timestamp, seconds, null, (int)(rem * 100));
    }

    /// <summary>A timestamp from Unix seconds and nanoseconds, or an overflow error outside years 1..9999.</summary>
    internal static CelValue Timestamp(long seconds, long nanos)
    {
        seconds += Math.DivRem(nanos, 1_000_000_000L, out long rem);
        if (rem < 0) { seconds--; rem += 1_000_000_000L; }
        if (seconds < MinTimestampSeconds || seconds > MaxTimestampSeconds)
            return FromError(CelErrorKind.Overflow, "timestamp out of range");
        return new CelValue(CelKind.Timestamp, seconds, null, (int)rem);
    }

    public static CelValue FromDuration(TimeSpan value) => new(CelKind.Duration, checked(value.Ticks * 100), null);

    /// <summary>A duration of <paramref name="nanos"/> nanoseconds (the int64 range, about ±292 years).</summary>
    internal static CelValue Duration(long nanos) => new(CelKind.Duration, nanos, null);

    internal long TimestampSeconds => _bits;

    internal int TimestampNanos => _nanos;

    internal long DurationNanos => _bits;

    /// <summary>The timestamp as a <see cref="DateTimeOffset"/> (UTC, truncated to 100 ns).</summary>
    public DateTimeOffset AsTimestamp => DateTimeOffset.UnixEpoch.AddTicks((_bits * TimeSpan.TicksPerSecond) + (_nanos / 100));

    /// <summary>The duration as a <see cref="TimeSpan"/> (truncated to 100 ns).</summary>
    public TimeSpan AsDuration => TimeSpan.FromTicks(_bits / 100);
}
