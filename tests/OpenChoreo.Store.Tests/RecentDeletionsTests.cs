namespace OpenChoreo.Store.Tests;

/// <summary>The garbage collector's memory of recent deletions: bounded in time and in count.</summary>
public sealed class RecentDeletionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_key_is_remembered_until_it_expires_and_a_re_add_extends_it()
    {
        var time = new ManualTime(T0);
        var recent = new RecentDeletions(time, TimeSpan.FromMinutes(2), capacity: 10);
        recent.IsEmpty.ShouldBeTrue();
        recent.Add("a");
        time.Now = T0.AddMinutes(1);
        recent.Add("b");
        recent.Add("a"); // deleted again (a re-created object): remembered from now
        time.Now = T0.AddMinutes(2);
        recent.Contains("a").ShouldBeTrue("the first entry expired, the second one still holds");
        recent.Contains("b").ShouldBeTrue();
        time.Now = T0.AddMinutes(3);
        recent.Contains("a").ShouldBeFalse();
        recent.Contains("b").ShouldBeFalse();
        recent.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void Past_its_capacity_the_oldest_keys_go_first()
    {
        var time = new ManualTime(T0);
        var recent = new RecentDeletions(time, TimeSpan.FromMinutes(2), capacity: 3);
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            recent.Add(key);
            time.Now += TimeSpan.FromSeconds(1);
        }
        recent.Contains("a").ShouldBeFalse();
        recent.Contains("b").ShouldBeTrue();
        recent.Contains("c").ShouldBeTrue();
        recent.Contains("d").ShouldBeTrue();
    }
}
