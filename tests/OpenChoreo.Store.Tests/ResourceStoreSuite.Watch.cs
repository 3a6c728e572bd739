using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Tests;

public abstract partial class ResourceStoreSuite
{
    [Fact]
    public async Task Watch_replays_history_after_a_revision_then_streams_live_changes_without_gap_or_duplicate()
    {
        var store = NewStore();
        var a = await store.CreateAsync(Obj("a"), Ct);
        await store.CreateAsync(Obj("b"), Ct);
        await store.CreateAsync(Obj("other", "Workload"), Ct);
        a.Spec!["replicas"] = 3;
        await store.UpdateAsync(a, ct: Ct);

        var watch = Watch(store, new ListOptions("Component", Ns), long.Parse(a.ResourceVersion!));
        var replayed = await watch.WaitForAsync(2);
        replayed.Select(e => (e.Type, e.Object.Name)).ShouldBe([(WatchEventType.Added, "b"), (WatchEventType.Modified, "a")]);

        await store.CreateAsync(Obj("c"), Ct);
        await store.DeleteAsync(Key("b"), ct: Ct);
        var all = await watch.WaitForAsync(4);
        all.Select(e => (e.Type, e.Object.Name)).ShouldBe([
            (WatchEventType.Added, "b"), (WatchEventType.Modified, "a"), (WatchEventType.Added, "c"), (WatchEventType.Deleted, "b")]);
        all.Select(e => e.ResourceVersion).ShouldBeInOrder(SortDirection.Ascending);
        all.Select(e => e.ResourceVersion).Distinct().Count().ShouldBe(4);
        all.ShouldAllBe(e => e.Object.ResourceVersion == e.ResourceVersion.ToString());
    }

    [Fact]
    public async Task Watch_with_a_label_selector_sees_objects_enter_and_leave_the_selection()
    {
        var store = NewStore();
        var o = await store.CreateAsync(Obj("a", labels: new() { ["env"] = "dev" }), Ct);
        var watch = Watch(store, new ListOptions("Component", Ns, LabelSelector.Parse("env=prod")), long.Parse(o.ResourceVersion!));

        o.SetLabel("env", "prod");
        o = await store.UpdateAsync(o, ct: Ct);
        o.Spec!["replicas"] = 2;
        o = await store.UpdateAsync(o, ct: Ct);
        o.SetLabel("env", "test");
        o = await store.UpdateAsync(o, ct: Ct);
        o.Spec!["replicas"] = 3;
        o = await store.UpdateAsync(o, ct: Ct); // not selected before or after: not seen
        await store.CreateAsync(Obj("b", labels: new() { ["env"] = "prod" }), Ct);

        var events = await watch.WaitForAsync(4);
        events.Select(e => (e.Type, e.Object.Name)).ShouldBe([
            (WatchEventType.Added, "a"), (WatchEventType.Modified, "a"), (WatchEventType.Deleted, "a"), (WatchEventType.Added, "b")]);
        events[2].Object.Labels["env"].ShouldBe("test");
    }

    [Fact]
    public async Task Watch_from_a_compacted_revision_fails_with_410_Expired()
    {
        var store = NewStore();
        var first = await store.CreateAsync(Obj("a"), Ct);
        await store.CreateAsync(Obj("b"), Ct);
        var third = await store.CreateAsync(Obj("c"), Ct);
        var compactTo = long.Parse(third.ResourceVersion!) - 1;
        await store.CompactAsync(compactTo, Ct);

        var from = long.Parse(first.ResourceVersion!);
        var e = await Throws(async () =>
        {
            await foreach (var _ in store.WatchAsync(new ListOptions("Component", Ns), from, Ct)) { }
        });
        e.Code.ShouldBe(410);
        e.Reason.ShouldBe(StatusReasons.Expired);
        e.Message.ShouldBe($"too old resource version: {from} ({compactTo})");

        // Watching from the compacted revision itself still works: everything after it is retained.
        var watch = Watch(store, new ListOptions("Component", Ns), compactTo);
        (await watch.WaitForAsync(1)).ShouldHaveSingleItem().Object.Name.ShouldBe("c");
    }

    [Fact]
    public async Task Compactor_keeps_the_configured_number_of_revisions()
    {
        var store = NewStore();
        for (var i = 0; i < 6; i++) await store.CreateAsync(Obj("o" + i), Ct);
        var current = await store.GetRevisionAsync(Ct);
        var compactor = new WatchHistoryCompactor(store, Options.Create(new WatchHistoryOptions { MaxRevisions = 2 }),
            Time, NullLogger<WatchHistoryCompactor>.Instance);

        (await compactor.CompactOnceAsync(Ct)).ShouldBe(current - 2);

        var e = await Throws(async () =>
        {
            await foreach (var _ in store.WatchAsync(new ListOptions("Component", Ns), current - 3, Ct)) { }
        });
        e.Message.ShouldBe($"too old resource version: {current - 3} ({current - 2})");
        var watch = Watch(store, new ListOptions("Component", Ns), current - 2);
        (await watch.WaitForAsync(2)).Select(x => x.Object.Name).ShouldBe(["o4", "o5"]);
    }

    [Fact]
    public async Task A_watcher_that_falls_behind_is_cut_off_with_410_without_blocking_writers_or_other_watchers()
    {
        var store = NewStore(o => o.WatchBufferSize = 16);
        var from = await store.GetRevisionAsync(Ct);
        await using var slow = store.WatchAsync(new ListOptions("Component", Ns), from, Ct).GetAsyncEnumerator(Ct);
        await store.CreateAsync(Obj("first"), Ct);
        (await slow.MoveNextAsync()).ShouldBeTrue(); // subscribed and consumed one event, then stops reading

        var fast = Watch(store, new ListOptions("Component", Ns), from);
        for (var i = 0; i < 40; i++)
        {
            await store.CreateAsync(Obj("o" + i), Ct);
            await fast.WaitForAsync(i + 2); // a reader that keeps up never overflows
        }

        var e = await Throws(async () =>
        {
            while (await slow.MoveNextAsync()) { }
        });
        e.Code.ShouldBe(410);
        e.Message.ShouldBe("the watch fell behind by more than 16 events; relist and watch again");
        fast.Error.ShouldBeNull();
    }

    [Fact]
    public async Task Concurrent_writers_get_unique_revisions_and_a_watcher_sees_them_in_order_without_gaps()
    {
        var store = NewStore();
        var from = await store.GetRevisionAsync(Ct);
        var watch = Watch(store, new ListOptions(ListOptions.AllKinds), from);
        const int writers = 4, perWriter = 40;

        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            for (var i = 0; i < perWriter; i++)
            {
                var o = await store.CreateAsync(Obj($"w{w}-{i}"), Ct);
                revisions.Add(long.Parse(o.ResourceVersion!));
                if (i % 4 == 0)
                {
                    o.Spec!["replicas"] = i;
                    revisions.Add(long.Parse((await store.UpdateAsync(o, ct: Ct)).ResourceVersion!));
                }
            }
            return revisions;
        }, Ct)));

        var all = results.SelectMany(r => r).ToArray();
        all.Distinct().Count().ShouldBe(all.Length);
        var events = await watch.WaitForAsync(all.Length);
        events.Count.ShouldBe(all.Length);
        events.Select(e => e.ResourceVersion).ShouldBe(Enumerable.Range(1, all.Length).Select(i => from + i));
        all.Order().ShouldBe(events.Select(e => e.ResourceVersion));
    }
}
