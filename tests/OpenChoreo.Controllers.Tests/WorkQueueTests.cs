using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Testing;

namespace OpenChoreo.Controllers.Tests;

public class WorkQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_added_twice_is_processed_once()
    {
        using var q = new WorkQueue<string>(TimeProvider.System);
        q.Add("a");
        q.Add("a");
        q.Add("b");
        q.Depth.ShouldBe(2);
        (await q.TakeAsync(Ct)).ShouldBe("a");
        (await q.TakeAsync(Ct)).ShouldBe("b");
        q.Depth.ShouldBe(0);
    }

    [Fact]
    public async Task A_key_being_processed_is_not_handed_out_again_until_done()
    {
        using var q = new WorkQueue<string>(TimeProvider.System);
        q.Add("a");
        var key = await q.TakeAsync(Ct);
        q.Add("a"); // a change arrives while "a" is processed
        q.Depth.ShouldBe(0, "the key must wait until the worker is done");
        q.Done(key);
        q.Depth.ShouldBe(1);
        (await q.TakeAsync(Ct)).ShouldBe("a");
    }

    [Fact]
    public async Task Delayed_adds_arrive_after_the_delay_and_the_earliest_wins()
    {
        using var q = new WorkQueue<string>(TimeProvider.System);
        q.AddAfter("a", TimeSpan.FromMinutes(10));
        q.AddAfter("a", TimeSpan.FromMilliseconds(50));
        q.DelayedCount.ShouldBe(1);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        (await q.TakeAsync(cts.Token)).ShouldBe("a");
    }

    [Fact]
    public void Failures_back_off_exponentially_and_forget_resets()
    {
        using var q = new WorkQueue<string>(TimeProvider.System, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        q.AddRateLimited("a").ShouldBe(TimeSpan.FromMilliseconds(100));
        q.AddRateLimited("a").ShouldBe(TimeSpan.FromMilliseconds(200));
        q.AddRateLimited("a").ShouldBe(TimeSpan.FromMilliseconds(400));
        for (var i = 0; i < 10; i++) q.AddRateLimited("a");
        q.AddRateLimited("a").ShouldBe(TimeSpan.FromSeconds(1), "capped");
        q.Forget("a");
        q.Failures("a").ShouldBe(0);
    }

    [Fact]
    public async Task Take_waits_until_a_key_arrives()
    {
        using var q = new WorkQueue<string>(TimeProvider.System);
        var take = q.TakeAsync(Ct).AsTask();
        take.IsCompleted.ShouldBeFalse();
        q.Add("late");
        (await take.WaitAsync(TimeSpan.FromSeconds(10), Ct)).ShouldBe("late");
    }
}
