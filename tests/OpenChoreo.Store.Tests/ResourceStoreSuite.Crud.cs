using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Tests;

public abstract partial class ResourceStoreSuite
{
    [Fact]
    public async Task Create_assigns_server_owned_metadata_and_overwrites_what_the_client_sent()
    {
        var store = NewStore();
        var before = await store.GetRevisionAsync(Ct);
        var input = Obj("a");
        input.Uid = "client-uid";
        input.ResourceVersion = "999";
        input.Generation = 7;
        input.CreationTimestamp = Epoch.AddDays(-3);
        input.DeletionTimestamp = Epoch;

        var created = await store.CreateAsync(input, Ct);

        Guid.TryParse(created.Uid, out var uid).ShouldBeTrue();
        uid.Version.ShouldBe(4);
        created.CreationTimestamp.ShouldBe(Epoch);
        created.Generation.ShouldBe(1);
        created.ResourceVersion.ShouldBe((before + 1).ToString());
        created.DeletionTimestamp.ShouldBeNull();
        (await store.GetRevisionAsync(Ct)).ShouldBe(before + 1);
        input.Uid.ShouldBe("client-uid"); // the caller's object is not modified

        var got = await store.GetAsync(Key("a"), Ct);
        got.ShouldNotBeNull();
        JsonNode.DeepEquals(got.Node, created.Node).ShouldBeTrue();
    }

    [Fact]
    public async Task Create_of_an_existing_object_fails_with_409_AlreadyExists()
    {
        var store = NewStore();
        await store.CreateAsync(Obj("a"), Ct);
        var e = await Throws(() => store.CreateAsync(Obj("a"), Ct));
        e.Code.ShouldBe(409);
        e.Reason.ShouldBe(StatusReasons.AlreadyExists);
        e.Message.ShouldBe("Component \"a\" already exists");
    }

    [Fact]
    public async Task Create_without_a_name_or_kind_fails_with_400()
    {
        var store = NewStore();
        var noName = Obj("x");
        noName.Metadata.Remove("name");
        (await Throws(() => store.CreateAsync(noName, Ct))).Message.ShouldBe("metadata.name is required");
        var noKind = Obj("x");
        noKind.Node.Remove("kind");
        var e = await Throws(() => store.CreateAsync(noKind, Ct));
        e.Code.ShouldBe(400);
        e.Message.ShouldBe("kind is required");
    }

    [Fact]
    public async Task Create_of_an_object_over_the_size_limit_fails_with_413()
    {
        var store = NewStore(o => o.MaxObjectBytes = 2048);
        var big = Obj("big", spec: new JsonObject { ["blob"] = new string('x', 4096) });
        var e = await Throws(() => store.CreateAsync(big, Ct));
        e.Code.ShouldBe(413);
        e.Message.ShouldBe("the request body is larger than the limit of 2048 bytes");
        (await store.GetAsync(Key("big"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Get_of_a_missing_object_returns_null()
    {
        var store = NewStore();
        (await store.GetAsync(Key("nope"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Cluster_scoped_and_namespaced_objects_of_the_same_name_are_distinct()
    {
        var store = NewStore();
        var clusterName = Ns + "-org";
        await store.CreateAsync(Obj(clusterName, "Organization", ns: ""), Ct);
        await store.CreateAsync(Obj(clusterName, "Organization"), Ct);
        (await store.GetAsync(new ResourceKey("Organization", "", clusterName), Ct)).ShouldNotBeNull();
        (await store.GetAsync(Key(clusterName, "Organization"), Ct))!.Namespace.ShouldBe(Ns);
    }

    [Fact]
    public async Task List_filters_by_kind_namespace_and_label_selector()
    {
        var store = NewStore();
        var other = Ns + "-other";
        await store.CreateAsync(Obj("web", labels: new() { ["tier"] = "frontend", ["env"] = "dev" }), Ct);
        await store.CreateAsync(Obj("api", labels: new() { ["tier"] = "backend", ["env"] = "prod" }), Ct);
        await store.CreateAsync(Obj("db", labels: new() { ["tier"] = "data" }), Ct);
        await store.CreateAsync(Obj("w1", "Workload", labels: new() { ["tier"] = "frontend" }), Ct);
        await store.CreateAsync(Obj("web", ns: other, labels: new() { ["tier"] = "frontend" }), Ct);

        async Task<string[]> Names(string kind, string? ns, string? selector) =>
            (await store.ListAsync(new ListOptions(kind, ns, LabelSelector.Parse(selector)), Ct)).Items
                .Select(o => $"{o.Kind}/{o.Namespace}/{o.Name}").Order().ToArray();

        (await Names("Component", Ns, null)).ShouldBe([$"Component/{Ns}/api", $"Component/{Ns}/db", $"Component/{Ns}/web"]);
        (await Names("Component", Ns, "tier=frontend")).ShouldBe([$"Component/{Ns}/web"]);
        (await Names("Component", Ns, "tier!=frontend")).ShouldBe([$"Component/{Ns}/api", $"Component/{Ns}/db"]);
        (await Names("Component", Ns, "tier in (backend,data)")).ShouldBe([$"Component/{Ns}/api", $"Component/{Ns}/db"]);
        (await Names("Component", Ns, "tier notin (backend,data)")).ShouldBe([$"Component/{Ns}/web"]);
        (await Names("Component", Ns, "env")).ShouldBe([$"Component/{Ns}/api", $"Component/{Ns}/web"]);
        (await Names("Component", Ns, "!env")).ShouldBe([$"Component/{Ns}/db"]);
        (await Names("Component", Ns, "tier=frontend,env=prod")).ShouldBeEmpty();
        (await Names(ListOptions.AllKinds, Ns, "tier=frontend")).ShouldBe([$"Component/{Ns}/web", $"Workload/{Ns}/w1"]);
        (await Names("Component", null, "tier=frontend")).ShouldContain($"Component/{other}/web");

        var filtered = await store.ListAsync(new ListOptions("Component", Ns) { Filter = o => o.Name.StartsWith('a') }, Ct);
        filtered.Items.Select(o => o.Name).ShouldBe(["api"]);
        filtered.ResourceVersion.ShouldBe(await store.GetRevisionAsync(Ct));
    }
}
