using OpenChoreo.Model;

namespace OpenChoreo.Store.Tests;

public abstract partial class ResourceStoreSuite
{
    [Fact]
    public async Task Delete_without_finalizers_removes_the_object_and_returns_its_last_state()
    {
        var store = NewStore();
        var created = await store.CreateAsync(Obj("a"), Ct);
        var deleted = await store.DeleteAsync(Key("a"), ct: Ct);
        deleted.ShouldNotBeNull();
        deleted.Uid.ShouldBe(created.Uid);
        long.Parse(deleted.ResourceVersion!).ShouldBe(await store.GetRevisionAsync(Ct));
        (await store.GetAsync(Key("a"), Ct)).ShouldBeNull();
        (await store.DeleteAsync(Key("a"), ct: Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Delete_preconditions_on_uid_and_resourceVersion_fail_with_409()
    {
        var store = NewStore();
        var o = await store.CreateAsync(Obj("a"), Ct);
        var e = await Throws(() => store.DeleteAsync(Key("a"), expectedUid: "other", ct: Ct));
        e.Code.ShouldBe(409);
        e.Message.ShouldBe($"Operation cannot be fulfilled on Component \"a\": Precondition failed: UID in precondition: other, UID in object meta: {o.Uid}");
        // A revision the object never had (a fresh store's first revision is 1, so never use a literal).
        var stale = (long.Parse(o.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture) + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        e = await Throws(() => store.DeleteAsync(Key("a"), expectedResourceVersion: stale, ct: Ct));
        e.Message.ShouldBe($"Operation cannot be fulfilled on Component \"a\": Precondition failed: ResourceVersion in precondition: {stale}, ResourceVersion in object meta: {o.ResourceVersion}");
        (await store.GetAsync(Key("a"), Ct)).ShouldNotBeNull();
        (await store.DeleteAsync(Key("a"), o.Uid, o.ResourceVersion, Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Finalizers_hold_a_deleted_object_until_the_last_one_is_removed()
    {
        var store = NewStore();
        var o = Obj("a");
        o.SetFinalizers(["one", "two"]);
        o = await store.CreateAsync(o, Ct);
        var watch = Watch(store, new ListOptions("Component", Ns), await store.GetRevisionAsync(Ct));
        Time.Now = Epoch.AddMinutes(1);

        var marked = await store.DeleteAsync(Key("a"), ct: Ct);
        marked!.DeletionTimestamp.ShouldBe(Epoch.AddMinutes(1));
        marked.Generation.ShouldBe(2);
        var stored = await store.GetAsync(Key("a"), Ct);
        stored!.DeletionTimestamp.ShouldBe(Epoch.AddMinutes(1));

        // Deleting again changes nothing.
        var again = await store.DeleteAsync(Key("a"), ct: Ct);
        again!.ResourceVersion.ShouldBe(marked.ResourceVersion);

        // No new finalizers once deleting.
        var add = stored.DeepClone();
        add.SetFinalizers(["one", "two", "three"]);
        var e = await Throws(() => store.UpdateAsync(add, ct: Ct));
        e.Code.ShouldBe(422);
        e.Causes.ShouldHaveSingleItem().ShouldBe(new StatusCause("metadata.finalizers", CauseReasons.Forbidden,
            "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers [three]"));

        // Clients cannot clear deletionTimestamp.
        var clear = stored.DeepClone();
        clear.DeletionTimestamp = null;
        clear.SetFinalizers(["two"]);
        var one = await store.UpdateAsync(clear, ct: Ct);
        one.DeletionTimestamp.ShouldNotBeNull();
        (await store.GetAsync(Key("a"), Ct)).ShouldNotBeNull();

        one.SetFinalizers([]);
        var last = await store.UpdateAsync(one, ct: Ct);
        last.Finalizers.ShouldBeEmpty();
        (await store.GetAsync(Key("a"), Ct)).ShouldBeNull();

        var events = await watch.WaitForAsync(3);
        events.Select(x => x.Type).ShouldBe([WatchEventType.Modified, WatchEventType.Modified, WatchEventType.Deleted]);
        events[2].ResourceVersion.ShouldBe(long.Parse(last.ResourceVersion!));
    }
}
