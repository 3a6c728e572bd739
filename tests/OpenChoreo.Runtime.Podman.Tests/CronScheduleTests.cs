using OpenChoreo.Runtime.Podman.Scheduling;

namespace OpenChoreo.Runtime.Podman.Tests;

/// <summary>The cron grammar of Kubernetes CronJobs, and next-time computation across months, weekdays and DST.</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 30, TimeSpan.Zero); // a Thursday

    [Theory]
    [InlineData("* * * * *", "2026-01-01T00:01:00Z")]
    [InlineData("*/15 * * * *", "2026-01-01T00:15:00Z")]
    [InlineData("5,35 2-4 * * *", "2026-01-01T02:05:00Z")]
    [InlineData("0 9 * * MON-FRI", "2026-01-01T09:00:00Z")]
    [InlineData("0 9 * * sat", "2026-01-03T09:00:00Z")]
    [InlineData("0 0 29 feb *", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 1 * 7", "2026-01-04T00:00:00Z")]          // both day fields restricted: either matches (Sunday 4th)
    [InlineData("@hourly", "2026-01-01T01:00:00Z")]
    [InlineData("@daily", "2026-01-02T00:00:00Z")]
    [InlineData("@weekly", "2026-01-04T00:00:00Z")]
    [InlineData("@monthly", "2026-02-01T00:00:00Z")]
    [InlineData("@yearly", "2027-01-01T00:00:00Z")]
    [InlineData("0 12 ? * *", "2026-01-01T12:00:00Z")]
    public void Next_time_in_utc(string schedule, string expected) =>
        CronSchedule.Parse(schedule).Next(Start, TimeZoneInfo.Utc).ShouldBe(DateTimeOffset.Parse(expected));

    [Fact]
    public void Time_zones_shift_the_wall_clock()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        CronSchedule.Parse("0 9 * * *").Next(Start, berlin).ShouldBe(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void A_local_time_skipped_by_daylight_saving_does_not_run_and_a_repeated_one_runs_once()
    {
        var ny = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        // 2026-03-08 02:30 does not exist in New York: the next 02:30 is on the 9th.
        CronSchedule.Parse("30 2 * * *").Next(new DateTimeOffset(2026, 3, 8, 0, 0, 0, TimeSpan.FromHours(-5)), ny)
            .ShouldBe(new DateTimeOffset(2026, 3, 9, 2, 30, 0, TimeSpan.FromHours(-4)));
        // 2026-11-01 01:30 happens twice: it runs at the first one, then next on the 2nd.
        var first = CronSchedule.Parse("30 1 * * *").Next(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(-4)), ny)!.Value;
        first.ShouldBe(new DateTimeOffset(2026, 11, 1, 1, 30, 0, TimeSpan.FromHours(-4)));
        CronSchedule.Parse("30 1 * * *").Next(first, ny).ShouldBe(new DateTimeOffset(2026, 11, 2, 1, 30, 0, TimeSpan.FromHours(-5)));
    }

    [Theory]
    [InlineData("* * * *", "a schedule has 5 fields (minute hour day-of-month month day-of-week), \"* * * *\" has 4")]
    [InlineData("60 * * * *", "minute: \"60\" is not a value from 0 to 59")]
    [InlineData("* 24 * * *", "hour: \"24\" is not a value from 0 to 23")]
    [InlineData("* * 0 * *", "day-of-month: \"0\" is not a value from 1 to 31")]
    [InlineData("* * * 13 *", "month: \"13\" is not a value from 1 to 12")]
    [InlineData("* * * * funday", "day-of-week: \"funday\" is not a value from 0 to 6")]
    [InlineData("*/0 * * * *", "minute: \"*/0\" has an invalid step")]
    [InlineData("30-10 * * * *", "minute: range \"30-10\" ends before it starts")]
    [InlineData("@every 5m", "unknown schedule macro \"@every 5m\" (use @yearly, @monthly, @weekly, @daily or @hourly)")]
    [InlineData("TZ=UTC 0 * * * *", "a time zone inside the schedule is not supported: set spec.timeZone")]
    public void Bad_schedules_say_what_is_wrong(string schedule, string message) =>
        Should.Throw<FormatException>(() => CronSchedule.Parse(schedule)).Message.ShouldBe(message);

    [Fact]
    public void A_schedule_that_never_matches_has_no_next_time() =>
        CronSchedule.Parse("0 0 31 2 *").Next(Start, TimeZoneInfo.Utc).ShouldBeNull();
}
