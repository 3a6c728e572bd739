using OpenChoreo.Model;

namespace OpenChoreo.Cli;

/// <summary>A document read from a manifest, with where it came from (for error messages).</summary>
public sealed record Manifest(string Source, ResourceObject Object);

/// <summary>Reads YAML/JSON manifests from files, directories (optionally recursive) or stdin ("-").</summary>
public static class ManifestReader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static IReadOnlyList<Manifest> Read(IEnumerable<string> paths, bool recursive, TextReader stdin)
    {
        var result = new List<Manifest>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                AddDocuments(result, "<stdin>", stdin.ReadToEnd());
            }
            else if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var f in files) AddDocuments(result, f, File.ReadAllText(f));
            }
            else if (File.Exists(path))
            {
                AddDocuments(result, path, File.ReadAllText(path));
            }
            else
            {
                throw new CliException($"the path \"{path}\" does not exist");
            }
        }
        return result;
    }

    private static void AddDocuments(List<Manifest> into, string source, string text)
    {
        IReadOnlyList<System.Text.Json.Nodes.JsonNode> docs;
        try
        {
            docs = YamlCodec.ReadAll(text);
        }
        catch (FormatException e)
        {
            throw new CliException($"{source}: {e.Message}");
        }
        foreach (var d in docs)
        {
            if (d is not System.Text.Json.Nodes.JsonObject o) throw new CliException($"{source}: a document is not an object");
            // A list (kind: List / FooList) is expanded into its items, as kubectl does.
            if (o["items"] is System.Text.Json.Nodes.JsonArray items && ((string?)o["kind"])?.EndsWith("List", StringComparison.Ordinal) == true)
            {
                foreach (var item in items.OfType<System.Text.Json.Nodes.JsonObject>()) into.Add(new Manifest(source, new ResourceObject((System.Text.Json.Nodes.JsonObject)item.DeepClone())));
                continue;
            }
            into.Add(new Manifest(source, new ResourceObject(o)));
        }
    }
}
