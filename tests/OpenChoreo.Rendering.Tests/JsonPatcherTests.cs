using System.Text.Json.Nodes;
using OpenChoreo.Rendering.Patching;

namespace OpenChoreo.Rendering.Tests;

public class JsonPatcherTests
{
    private static JsonObject Doc() => (JsonObject)JsonNode.Parse("""
        {"spec":{"containers":[{"name":"app","env":[]},{"name":"side"},{"name":"app","env":[{"name":"A"}]}],"labels":{"a":"1"}}}
        """)!;

    private static string Apply(string op, string path, string? value)
    {
        var d = Doc();
        JsonPatcher.Apply(d, op, path, value is null ? null : JsonNode.Parse(value));
        return d.ToJsonString();
    }

    [Fact]
    public void Add_appends_with_dash_at_every_filter_match() =>
        Apply("add", "/spec/containers/[?(@.name=='app')]/env/-", """{"name":"B"}""")
            .ShouldBe("""{"spec":{"containers":[{"name":"app","env":[{"name":"B"}]},{"name":"side"},{"name":"app","env":[{"name":"A"},{"name":"B"}]}],"labels":{"a":"1"}}}""");

    [Fact]
    public void Filter_attached_to_the_key_is_accepted() =>
        Apply("add", "/spec/containers[?(@.name=='side')]/image", "\"nginx\"")
            .ShouldBe("""{"spec":{"containers":[{"name":"app","env":[]},{"name":"side","image":"nginx"},{"name":"app","env":[{"name":"A"}]}],"labels":{"a":"1"}}}""");

    [Fact]
    public void Add_creates_missing_parents() =>
        Apply("add", "/spec/volumes/-", """{"name":"v"}""").ShouldContain("\"volumes\":[{\"name\":\"v\"}]");

    [Fact]
    public void Add_inserts_at_an_index() =>
        Apply("add", "/spec/containers/1", """{"name":"mid"}""").ShouldContain("""[{"name":"app","env":[]},{"name":"mid"},{"name":"side"}""");

    [Fact]
    public void Replace_and_remove_need_an_existing_target()
    {
        Apply("replace", "/spec/labels/a", "\"2\"").ShouldContain("\"labels\":{\"a\":\"2\"}");
        Apply("remove", "/spec/containers/1", null).ShouldNotContain("side");
        Should.Throw<PatchException>(() => Apply("replace", "/spec/labels/b", "\"2\"")).Message.ShouldBe("replace /spec/labels/b: \"b\" does not exist");
        Should.Throw<PatchException>(() => Apply("remove", "/spec/missing/x", null)).Message.ShouldBe("/spec/missing/x: \"missing\" does not exist");
    }

    [Fact]
    public void Merge_shallow_overlays_top_level_keys() =>
        Apply("mergeShallow", "/spec/labels", """{"b":"2","a":"0"}""").ShouldContain("\"labels\":{\"a\":\"0\",\"b\":\"2\"}");

    [Fact]
    public void Remove_and_replace_fan_out_to_every_filter_match()
    {
        Apply("remove", "/spec/containers/[?(@.name=='app')]", null)
            .ShouldBe("""{"spec":{"containers":[{"name":"side"}],"labels":{"a":"1"}}}""");
        Apply("replace", "/spec/containers[?(@.name=='app')]/env", """[{"name":"Z"}]""")
            .ShouldBe("""{"spec":{"containers":[{"name":"app","env":[{"name":"Z"}]},{"name":"side"},{"name":"app","env":[{"name":"Z"}]}],"labels":{"a":"1"}}}""");
    }

    [Fact]
    public void Indices_address_list_items_inside_and_after_filters()
    {
        Apply("replace", "/spec/containers/2/env/0/name", "\"Q\"").ShouldContain("""{"name":"app","env":[{"name":"Q"}]}""");
        Apply("add", "/spec/containers/[?(@.name=='app')]/env/0", """{"name":"first"}""")
            .ShouldBe("""{"spec":{"containers":[{"name":"app","env":[{"name":"first"}]},{"name":"side"},{"name":"app","env":[{"name":"first"},{"name":"A"}]}],"labels":{"a":"1"}}}""");
        Should.Throw<PatchException>(() => Apply("replace", "/spec/containers/5/name", "\"x\"")).Message
            .ShouldBe("/spec/containers/5/name: \"5\" is not an index of a list of 3");
    }

    [Fact]
    public void Merge_shallow_at_a_filter_match_replaces_nested_maps_whole()
    {
        var d = (JsonObject)JsonNode.Parse("""{"items":[{"name":"a","meta":{"x":1,"y":2}},{"name":"b"}]}""")!;
        JsonPatcher.Apply(d, "mergeShallow", "/items/[?(@.name=='a')]", JsonNode.Parse("""{"meta":{"z":3},"k":true}"""));
        d.ToJsonString().ShouldBe("""{"items":[{"name":"a","meta":{"z":3},"k":true},{"name":"b"}]}""");
    }

    [Fact]
    public void Filter_with_no_match_is_an_error() =>
        Should.Throw<PatchException>(() => Apply("add", "/spec/containers/[?(@.name=='nope')]/env/-", "{}")).Message
            .ShouldBe("add /spec/containers/[?(@.name=='nope')]/env/-: no array element matches the filter");

    [Fact]
    public void Filter_values_may_contain_slashes()
    {
        var d = (JsonObject)JsonNode.Parse("""{"items":[{"path":"/a/b"},{"path":"/c"}]}""")!;
        JsonPatcher.Apply(d, "add", "/items/[?(@.path=='/a/b')]/hit", JsonValue.Create(true));
        d.ToJsonString().ShouldBe("""{"items":[{"path":"/a/b","hit":true},{"path":"/c"}]}""");
    }

    [Fact]
    public void Unsupported_operation_is_an_error() =>
        Should.Throw<PatchException>(() => Apply("copy", "/spec/x", "1")).Message
            .ShouldBe("unsupported operation \"copy\" (expected add, replace, remove or mergeShallow)");

    [Fact]
    public void Malformed_filter_is_an_error() =>
        Should.Throw<PatchException>(() => Apply("add", "/spec/containers/[?(name=app)]/x", "1")).Message
            .ShouldBe("path \"/spec/containers/[?(name=app)]/x\": malformed array filter [?(name=app)] (expected [?(@.field=='value')])");
}
