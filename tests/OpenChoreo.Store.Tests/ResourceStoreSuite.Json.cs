using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Store.Tests;

public abstract partial class ResourceStoreSuite
{
    [Fact]
    public async Task Json_reads_return_the_same_objects_as_parsed_reads()
    {
        var store = NewStore();
        await store.CreateAsync(Obj("a", labels: new() { ["tier"] = "web" }), Ct);
        await store.CreateAsync(Obj("b", labels: new() { ["tier"] = "db" }), Ct);
        await store.CreateAsync(Obj("c", labels: new() { ["tier"] = "web" }, spec: new JsonObject { ["replicas"] = 3 }), Ct);

        var get = await store.GetJsonAsync(Key("c"), Ct);
        JsonNode.DeepEquals(JsonNode.Parse(get!), (await store.GetAsync(Key("c"), Ct))!.Node).ShouldBeTrue();
        (await store.GetJsonAsync(Key("missing"), Ct)).ShouldBeNull();

        foreach (var options in new[]
        {
            new ListOptions("Component", Ns),
            new ListOptions("Component", Ns, LabelSelector.Parse("tier=web")),
            new ListOptions("Component", Ns) { Filter = o => o.Spec?["replicas"]?.GetValue<int>() == 3 },
        })
        {
            var parsed = await store.ListAsync(options, Ct);
            var json = await store.ListJsonAsync(options, Ct);
            json.ResourceVersion.ShouldBe(parsed.ResourceVersion);
            json.Items.Count.ShouldBe(parsed.Items.Count);
            for (var i = 0; i < json.Items.Count; i++)
            {
                JsonNode.DeepEquals(JsonNode.Parse(json.Items[i]), parsed.Items[i].Node).ShouldBeTrue();
            }
        }
        (await store.ListJsonAsync(new ListOptions("Component", Ns, LabelSelector.Parse("tier=web")), Ct)).Items.Count.ShouldBe(2);
    }
}
