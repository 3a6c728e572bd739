using OpenChoreo.Model;

namespace OpenChoreo.Store.Tests;

public abstract partial class ResourceStoreSuite
{
    private static ResourceObject OwnedBy(ResourceObject o, params ResourceObject[] owners)
    {
        o.SetOwnerReferences(owners.Select(OwnerReference.ControlledBy));
        return o;
    }

    [Fact]
    public async Task Collector_deletes_dependents_down_the_chain_once_all_their_owners_are_gone()
    {
        var store = NewStore();
        await store.CreateAsync(Obj(Ns, "Organization", ns: ""), Ct); // the sweep would empty a namespace without one
        StartCollector(store);
        var project = await store.CreateAsync(Obj("p", "Project"), Ct);
        var other = await store.CreateAsync(Obj("q", "Project"), Ct);
        var component = await store.CreateAsync(OwnedBy(Obj("c"), project), Ct);
        var release = await store.CreateAsync(OwnedBy(Obj("r", "ComponentRelease"), component), Ct);
        var shared = await store.CreateAsync(OwnedBy(Obj("s", "Workload"), project, other), Ct);
        var unrelated = await store.CreateAsync(Obj("u"), Ct);

        await store.DeleteAsync(ResourceKey.Of(project), ct: Ct);

        await Eventually.TrueAsync(async () => await store.GetAsync(ResourceKey.Of(release), Ct) is null,
            "the release (owned by the component owned by the project) is collected");
        (await store.GetAsync(ResourceKey.Of(component), Ct)).ShouldBeNull();
        (await store.GetAsync(ResourceKey.Of(shared), Ct)).ShouldNotBeNull(); // still has an owner
        (await store.GetAsync(ResourceKey.Of(unrelated), Ct)).ShouldNotBeNull();

        await store.DeleteAsync(ResourceKey.Of(other), ct: Ct);
        await Eventually.TrueAsync(async () => await store.GetAsync(ResourceKey.Of(shared), Ct) is null,
            "the workload is collected when its last owner goes");
    }

    [Fact]
    public async Task Collector_empties_the_namespace_of_a_deleted_organization()
    {
        var store = NewStore();
        StartCollector(store);
        var keep = Ns + "-keep";
        await store.CreateAsync(Obj(Ns, "Organization", ns: ""), Ct);
        await store.CreateAsync(Obj(keep, "Organization", ns: ""), Ct);
        await store.CreateAsync(Obj("p", "Project"), Ct);
        var finalized = Obj("c");
        finalized.SetFinalizers(["controller"]);
        await store.CreateAsync(finalized, Ct);
        await store.CreateAsync(Obj("p", "Project", ns: keep), Ct);

        await store.DeleteAsync(new ResourceKey("Organization", "", Ns), ct: Ct);

        await Eventually.TrueAsync(async () => await store.GetAsync(Key("p", "Project"), Ct) is null,
            "the organization's project is deleted");
        // An object with finalizers is marked for deletion, as any delete does.
        await Eventually.TrueAsync(async () => (await store.GetAsync(Key("c"), Ct))?.DeletionTimestamp is not null,
            "the finalized component is marked for deletion");
        (await store.GetAsync(Key("p", "Project", keep), Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Collector_sweep_at_start_cleans_up_what_was_orphaned_while_it_was_not_running()
    {
        var store = NewStore();
        await store.CreateAsync(Obj(Ns, "Organization", ns: ""), Ct);
        var owner = await store.CreateAsync(Obj("p", "Project"), Ct);
        await store.CreateAsync(OwnedBy(Obj("c"), owner), Ct);
        var gone = Ns + "-gone";
        await store.CreateAsync(Obj("x", "Project", ns: gone), Ct); // no Organization for this namespace
        var system = Ns + "-system";
        await store.CreateAsync(Obj("lease", "Lease", ns: system), Ct);
        var plane = "openchoreo-data-plane-" + Ns; // a plane namespace of occ plan: protected by its prefix
        await store.CreateAsync(Obj("tls", "Certificate", ns: plane), Ct);
        await store.DeleteAsync(ResourceKey.Of(owner), ct: Ct);

        var gc = StartCollector(store, o => o.ProtectedNamespaces.Add(system));

        await Eventually.TrueAsync(() => Task.FromResult(gc.SweepCount > 0), "the first sweep ran");
        (await store.GetAsync(Key("c"), Ct)).ShouldBeNull();
        (await store.GetAsync(Key("x", "Project", gone), Ct)).ShouldBeNull();
        (await store.GetAsync(Key("lease", "Lease", system), Ct)).ShouldNotBeNull();
        (await store.GetAsync(Key("tls", "Certificate", plane), Ct)).ShouldNotBeNull();
        (await store.GetAsync(new ResourceKey("Organization", "", Ns), Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Collector_deletes_what_a_late_writer_creates_after_the_owner_or_organization_is_gone()
    {
        var store = NewStore();
        await store.CreateAsync(Obj(Ns, "Organization", ns: ""), Ct);
        var late = Ns + "-late";
        await store.CreateAsync(Obj(late, "Organization", ns: ""), Ct);
        var gc = StartCollector(store);
        var project = await store.CreateAsync(Obj("p", "Project"), Ct);
        var live = await store.CreateAsync(Obj("live", "Project"), Ct);
        var first = await store.CreateAsync(OwnedBy(Obj("c"), project), Ct);
        await store.CreateAsync(Obj("p", "Project", ns: late), Ct);

        await store.DeleteAsync(ResourceKey.Of(project), ct: Ct);
        await store.DeleteAsync(new ResourceKey("Organization", "", late), ct: Ct);
        await Eventually.TrueAsync(async () => await store.GetAsync(ResourceKey.Of(first), Ct) is null &&
            await store.GetAsync(Key("p", "Project", late), Ct) is null, "the cascades ran");

        // A controller that read the owner before it went writes afterwards: a dependent naming the gone uid, an
        // object in the emptied namespace. Neither may wait for the next sweep (ten minutes here).
        var keeper = await store.CreateAsync(OwnedBy(Obj("keeper"), live), Ct);
        var orphan = await store.CreateAsync(OwnedBy(Obj("orphan"), project), Ct);
        await store.CreateAsync(Obj("straggler", "Project", ns: late), Ct);
        await Eventually.TrueAsync(async () => await store.GetAsync(ResourceKey.Of(orphan), Ct) is null,
            "the late dependent of the deleted project is collected");
        await Eventually.TrueAsync(async () => await store.GetAsync(Key("straggler", "Project", late), Ct) is null,
            "the late object in the deleted organization's namespace is collected");
        (await store.GetAsync(ResourceKey.Of(keeper), Ct)).ShouldNotBeNull(); // its owner lives
        gc.SweepCount.ShouldBeLessThanOrEqualTo(1); // the watch did it, not a sweep
    }
}
