using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Model.Tests;

public class YamlCodecTests
{
    [Fact]
    public void Plain_scalars_resolve_with_the_core_schema()
    {
        var o = YamlCodec.ReadOne("""
            int: 80
            quoted: "80"
            float: 1.5
            bool: true
            null1: ~
            null2:
            str: hello
            version: 1.0
            hex: 0x1F
            yes: yes
            """)!.AsObject();
        o["int"]!.GetValueKind().ShouldBe(JsonValueKind.Number);
        o["int"]!.GetValue<long>().ShouldBe(80);
        o["quoted"]!.GetValue<string>().ShouldBe("80");
        o["float"]!.GetValue<double>().ShouldBe(1.5);
        o["bool"]!.GetValue<bool>().ShouldBeTrue();
        o["null1"].ShouldBeNull();
        o["null2"].ShouldBeNull();
        o["str"]!.GetValue<string>().ShouldBe("hello");
        o["hex"]!.GetValue<long>().ShouldBe(31);
        o["yes"]!.GetValue<string>().ShouldBe("yes");
    }

    [Fact]
    public void Output_quotes_strings_that_would_read_back_as_other_types()
    {
        var node = new JsonObject { ["a"] = "80", ["b"] = "true", ["c"] = "yes", ["d"] = "", ["e"] = "plain", ["f"] = "null", ["g"] = 42 };
        var yaml = YamlCodec.Write(node);
        var back = YamlCodec.ReadOne(yaml)!;
        JsonNode.DeepEquals(node, back).ShouldBeTrue(yaml);
        yaml.ShouldContain("e: plain");
        yaml.ShouldContain("g: 42");
    }

    [Fact]
    public void Multiline_strings_and_templates_round_trip()
    {
        var node = new JsonObject
        {
            ["script"] = "line one\nline two\n",
            ["expr"] = "${parameters.replicas}",
            ["map"] = new JsonObject(),
            ["list"] = new JsonArray(),
        };
        JsonNode.DeepEquals(node, YamlCodec.ReadOne(YamlCodec.Write(node))).ShouldBeTrue();
    }

    [Fact]
    public void Multi_document_streams_skip_empty_documents()
    {
        var docs = YamlCodec.ReadAll("---\na: 1\n---\n---\nb: 2\n");
        docs.Count.ShouldBe(2);
        YamlCodec.ReadAll(YamlCodec.WriteAll(docs)).Count.ShouldBe(2);
    }

    [Fact]
    public void Duplicate_keys_are_refused_with_the_position()
    {
        var e = Should.Throw<FormatException>(() => YamlCodec.ReadAll("a: 1\nb: 2\na: 3\n"));
        e.Message.ShouldBe("malformed YAML at line 3, column 1: Duplicate key a");
    }

    [Fact]
    public void Malformed_yaml_names_line_and_column()
    {
        var e = Should.Throw<FormatException>(() => YamlCodec.ReadAll("a: [1, 2\nb: 3\n"));
        e.Message.ShouldStartWith("malformed YAML");
    }

    [Fact]
    public void Alias_bombs_are_stopped_by_the_node_budget()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        var prev = "a";
        for (var i = 0; i < 8; i++)
        {
            var name = "l" + i;
            bomb += $"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n";
            prev = name;
        }
        var e = Should.Throw<FormatException>(() => YamlCodec.ReadAll(bomb));
        e.Message.ShouldContain("expands to more than");
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200));
        Should.Throw<FormatException>(() => YamlCodec.ReadAll(deep)).Message.ShouldContain("deeper than");
    }

    [Fact]
    public void Json_is_yaml()
    {
        var o = YamlCodec.ReadOne("{\"a\": {\"b\": [1, \"2\", true, null]}}")!;
        o["a"]!["b"]![0]!.GetValue<long>().ShouldBe(1);
        o["a"]!["b"]![1]!.GetValue<string>().ShouldBe("2");
    }
}
