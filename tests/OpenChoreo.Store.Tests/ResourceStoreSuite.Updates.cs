using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Tests;

public abstract partial class ResourceStoreSuite
{
    private const string ConflictMessage =
        "Operation cannot be fulfilled on Component \"a\": the object has been modified; please apply your changes to the latest version and try again";

    [Fact]
    public async Task Update_with_a_stale_resourceVersion_fails_with_409_Conflict()
    {
        var store = NewStore();
        var v1 = await store.CreateAsync(Obj("a"), Ct);
        var first = v1.DeepClone();
        first.Spec!["replicas"] = 2;
        await store.UpdateAsync(first, ct: Ct);

        var stale = v1.DeepClone();
        stale.Spec!["replicas"] = 3;
        var e = await Throws(() => store.UpdateAsync(stale, ct: Ct));
        e.Code.ShouldBe(409);
        e.Reason.ShouldBe(StatusReasons.Conflict);
        e.Message.ShouldBe(ConflictMessage);
        (await store.GetAsync(Key("a"), Ct))!.Spec!["replicas"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task Update_without_a_resourceVersion_is_unconditional()
    {
        var store = NewStore();
        await store.CreateAsync(Obj("a"), Ct);
        var blind = Obj("a", spec: new JsonObject { ["replicas"] = 5 });
        var updated = await store.UpdateAsync(blind, ct: Ct);
        updated.Spec!["replicas"]!.GetValue<int>().ShouldBe(5);
        updated.Generation.ShouldBe(2);
    }

    [Fact]
    public async Task Update_of_a_missing_object_fails_with_404()
    {
        var store = NewStore();
        var e = await Throws(() => store.UpdateAsync(Obj("ghost"), ct: Ct));
        e.Code.ShouldBe(404);
        e.Message.ShouldBe($"Component \"ghost\" not found in namespace \"{Ns}\"");
    }

    [Fact]
    public async Task Update_keeps_uid_and_creationTimestamp_and_refuses_a_different_uid()
    {
        var store = NewStore();
        var created = await store.CreateAsync(Obj("a"), Ct);
        Time.Now = Epoch.AddHours(1);

        var changed = created.DeepClone();
        changed.CreationTimestamp = Epoch.AddDays(5);
        changed.Generation = 42;
        changed.SetLabel("x", "y");
        var updated = await store.UpdateAsync(changed, ct: Ct);
        updated.CreationTimestamp.ShouldBe(Epoch);
        updated.Uid.ShouldBe(created.Uid);
        updated.Generation.ShouldBe(1);

        var otherUid = updated.DeepClone();
        otherUid.Uid = "5c1f3c43-0000-4000-8000-000000000000";
        var e = await Throws(() => store.UpdateAsync(otherUid, ct: Ct));
        e.Code.ShouldBe(422);
        e.Causes.ShouldHaveSingleItem().ShouldBe(new StatusCause("metadata.uid", CauseReasons.Invalid,
            "Invalid value: \"5c1f3c43-0000-4000-8000-000000000000\": field is immutable"));
    }

    [Fact]
    public async Task Generation_bumps_only_when_something_outside_metadata_and_status_changes()
    {
        var store = NewStore();
        var o = await store.CreateAsync(Obj("a"), Ct);

        o.SetLabel("team", "x");
        o.SetAnnotation("note", "y");
        o = await store.UpdateAsync(o, ct: Ct);
        o.Generation.ShouldBe(1);

        o.Spec!["replicas"] = 2;
        o = await store.UpdateAsync(o, ct: Ct);
        o.Generation.ShouldBe(2);

        o.Node["data"] = new JsonObject { ["k"] = "v" }; // a top-level field other than spec counts too
        o = await store.UpdateAsync(o, ct: Ct);
        o.Generation.ShouldBe(3);

        o.Node["status"] = new JsonObject { ["phase"] = "Ready" };
        o = await store.UpdateAsync(o, UpdateScope.Status, Ct);
        o.Generation.ShouldBe(3);
    }

    [Fact]
    public async Task Status_scope_changes_only_status_and_main_scope_keeps_the_stored_status()
    {
        var store = NewStore();
        var o = await store.CreateAsync(Obj("a"), Ct);

        var statusWrite = o.DeepClone();
        statusWrite.Node["status"] = new JsonObject { ["observedGeneration"] = 1 };
        statusWrite.Spec!["replicas"] = 9;
        statusWrite.SetLabel("ignored", "yes");
        var afterStatus = await store.UpdateAsync(statusWrite, UpdateScope.Status, Ct);
        afterStatus.Status!["observedGeneration"]!.GetValue<int>().ShouldBe(1);
        afterStatus.Spec!["replicas"]!.GetValue<int>().ShouldBe(1);
        afterStatus.Labels.ShouldNotContainKey("ignored");

        var mainWrite = afterStatus.DeepClone();
        mainWrite.Node["status"] = new JsonObject { ["observedGeneration"] = 99 };
        mainWrite.Spec!["replicas"] = 2;
        var afterMain = await store.UpdateAsync(mainWrite, ct: Ct);
        afterMain.Status!["observedGeneration"]!.GetValue<int>().ShouldBe(1);
        afterMain.Spec!["replicas"]!.GetValue<int>().ShouldBe(2);

        var stale = afterStatus.DeepClone();
        stale.Node["status"] = new JsonObject { ["observedGeneration"] = 2 };
        (await Throws(() => store.UpdateAsync(stale, UpdateScope.Status, Ct))).Message.ShouldBe(ConflictMessage);
    }

    [Fact]
    public async Task An_update_that_changes_nothing_writes_nothing()
    {
        var store = NewStore();
        var o = await store.CreateAsync(Obj("a", labels: new() { ["a"] = "1" }), Ct);
        var rv = await store.GetRevisionAsync(Ct);
        var watch = Watch(store, new ListOptions("Component", Ns), rv);

        var same = await store.UpdateAsync(o.DeepClone(), ct: Ct);
        same.ResourceVersion.ShouldBe(o.ResourceVersion);
        var noRv = o.DeepClone();
        noRv.ResourceVersion = null;
        (await store.UpdateAsync(noRv, ct: Ct)).ResourceVersion.ShouldBe(o.ResourceVersion);
        (await store.UpdateAsync(o.DeepClone(), UpdateScope.Status, Ct)).ResourceVersion.ShouldBe(o.ResourceVersion);
        (await store.GetRevisionAsync(Ct)).ShouldBe(rv);

        o.Spec!["replicas"] = 2;
        var changed = await store.UpdateAsync(o, ct: Ct);
        var events = await watch.WaitForAsync(1);
        events[0].Type.ShouldBe(WatchEventType.Modified);
        events[0].ResourceVersion.ShouldBe(long.Parse(changed.ResourceVersion!));
        events.Count.ShouldBe(1);
    }
}
