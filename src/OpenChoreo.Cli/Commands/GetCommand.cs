using System.CommandLine;
using System.Text.Json.Nodes;
using OpenChoreo.Cli.Output;
using OpenChoreo.Client;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary><c>occ get KIND [NAME] [-n NS | -A] [-l SELECTOR] [-o yaml|json|wide|name] [-w]</c>.</summary>
public static class GetCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var kindArg = new Argument<string>("kind") { Description = "Resource type: singular, plural or short name (e.g. component, comps, ct)" };
        var nameArg = new Argument<string?>("name") { Description = "Name of one object", Arity = ArgumentArity.ZeroOrOne };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Organization (namespace); default: the context's" };
        var all = new Option<bool>("--all-namespaces", "-A") { Description = "List across every organization" };
        var selector = new Option<string?>("--selector", "-l") { Description = "Label selector, e.g. app=web,tier!=db" };
        var output = new Option<string?>("--output", "-o") { Description = "Output format: yaml, json, wide or name" };
        output.AcceptOnlyFromAmong("yaml", "json", "wide", "name");
        var watch = new Option<bool>("--watch", "-w") { Description = "After listing, keep printing changes" };
        var cmd = new Command("get", "Display one or many resources") { kindArg, nameArg, ns, all, selector, output, watch };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            var kind = CommandRunner.ResolveKind(p.GetValue(kindArg)!);
            var name = p.GetValue(nameArg);
            var format = p.GetValue(output);
            using var client = globals.Connect(p);
            var allNs = p.GetValue(all) && kind.Namespaced;
            if (allNs && name is not null) throw new CliException("a name cannot be combined with --all-namespaces");
            var namespaceName = kind.Namespaced ? (allNs ? null : p.GetValue(ns) ?? client.Context.Namespace) : null;
            var printer = new ObjectPrinter(io.Out, kind, format, allNs, TimeProvider.System);

            IReadOnlyList<ResourceObject> items;
            string rv;
            if (name is not null)
            {
                var obj = await client.GetAsync(kind, namespaceName ?? "", name, ct);
                items = [obj];
                rv = obj.ResourceVersion ?? "0";
            }
            else
            {
                (items, rv) = await client.ListAsync(kind, namespaceName, p.GetValue(selector), ct);
            }
            if (items.Count == 0 && format is null or "wide" && !p.GetValue(watch))
            {
                await io.Err.WriteLineAsync(namespaceName is null ? "No resources found" : $"No resources found in {namespaceName} namespace.");
                return 0;
            }
            printer.Print(items, single: name is not null);
            if (!p.GetValue(watch)) return 0;
            await foreach (var e in client.WatchAsync(kind, namespaceName, p.GetValue(selector), rv, ct))
            {
                if (name is not null && e.Object.Name != name) continue;
                printer.PrintChange(e.Object, e.Type);
            }
            return 0;
        }));
        return cmd;
    }
}

/// <summary>Prints objects as a table, YAML, JSON or names.</summary>
internal sealed class ObjectPrinter(TextWriter w, ResourceKind kind, string? format, bool withNamespace, TimeProvider time)
{
    private readonly IReadOnlyList<Column> _columns = Columns.For(kind).Where(c => !c.WideOnly || format == "wide").ToArray();
    private bool _headerPrinted;

    public void Print(IReadOnlyList<ResourceObject> items, bool single)
    {
        switch (format)
        {
            case "yaml":
                w.Write(single ? YamlCodec.Write(items[0].Node) : YamlCodec.Write(AsList(items)));
                break;
            case "json":
                w.WriteLine((single ? items[0].Node : AsList(items)).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                break;
            case "name":
                foreach (var o in items) w.WriteLine($"{kind.Singular}.{kind.Group}/{o.Name}");
                break;
            default:
                TableWriter.Write(w, Headers(), items.Select(Row));
                _headerPrinted = true; // also for an empty list under -w: changes then print rows only
                break;
        }
    }

    public void PrintChange(ResourceObject o, string type)
    {
        switch (format)
        {
            case "yaml":
                w.Write("---\n" + YamlCodec.Write(o.Node));
                break;
            case "json":
                w.WriteLine(o.Node.ToJsonString());
                break;
            case "name":
                w.WriteLine($"{kind.Singular}.{kind.Group}/{o.Name}");
                break;
            default:
                var row = Row(o).ToList();
                if (type == "DELETED") row[^1] += " (deleted)";
                TableWriter.Write(w, Headers(), [row], printHeaders: !_headerPrinted);
                _headerPrinted = true;
                break;
        }
        w.Flush();
    }

    private IReadOnlyList<string> Headers() =>
        (withNamespace ? ["NAMESPACE"] : Array.Empty<string>()).Concat(_columns.Select(c => c.Header)).ToArray();

    private IReadOnlyList<string> Row(ResourceObject o)
    {
        var now = time.GetUtcNow();
        var cells = _columns.Select(c => c.Value(o, now));
        return (withNamespace ? [o.Namespace] : Array.Empty<string>()).Concat(cells).ToArray();
    }

    private JsonObject AsList(IReadOnlyList<ResourceObject> items) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "List",
        ["items"] = new JsonArray(items.Select(i => (JsonNode?)i.Node.DeepClone()).ToArray()),
    };
}
