using System.CommandLine;
using System.Text.Json.Nodes;
using OpenChoreo.Cli.Output;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary><c>occ describe KIND NAME</c>: a readable summary — identity, labels, owners, conditions, then spec and status.</summary>
public static class DescribeCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var kindArg = new Argument<string>("kind") { Description = "Resource type (e.g. component, env, ct)" };
        var nameArg = new Argument<string>("name") { Description = "Name of the object" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Organization (namespace); default: the context's" };
        var cmd = new Command("describe", "Show the details of one resource") { kindArg, nameArg, ns };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            var kind = CommandRunner.ResolveKind(p.GetValue(kindArg)!);
            using var client = globals.Connect(p);
            var obj = await client.GetAsync(kind, kind.Namespaced ? p.GetValue(ns) ?? client.Context.Namespace : "", p.GetValue(nameArg)!, ct);
            Write(io.Out, kind, obj, TimeProvider.System.GetUtcNow());
            return 0;
        }));
        return cmd;
    }

    internal static void Write(TextWriter w, ResourceKind kind, ResourceObject o, DateTimeOffset now)
    {
        void Line(string label, string? value) => w.WriteLine($"{label + ":",-20}{value}");
        Line("Name", o.Name);
        if (kind.Namespaced) Line("Namespace", o.Namespace);
        Line("Kind", $"{kind.Kind} ({kind.ApiVersion})");
        Line("UID", o.Uid);
        Line("Created", o.CreationTimestamp is { } c ? $"{ResourceObject.FormatTime(c)} ({Age.Since(c, now)} ago)" : "");
        if (o.DeletionTimestamp is { } d) Line("Deleting since", ResourceObject.FormatTime(d));
        Line("Generation", o.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line("Labels", o.Labels.Count == 0 ? "<none>" : string.Join("\n" + new string(' ', 20), o.Labels.Select(l => $"{l.Key}={l.Value}")));
        Line("Annotations", o.Annotations.Count == 0 ? "<none>" : string.Join("\n" + new string(' ', 20), o.Annotations.Select(l => $"{l.Key}: {l.Value}")));
        if (o.Finalizers.Count > 0) Line("Finalizers", string.Join(", ", o.Finalizers));
        if (o.OwnerReferences.Count > 0) Line("Owned by", string.Join(", ", o.OwnerReferences.Select(r => $"{r.Kind}/{r.Name}")));
        if (o.Spec is not null)
        {
            w.WriteLine("Spec:");
            Indent(w, YamlCodec.Write(o.Spec));
        }
        if (o.Status?["conditions"] is JsonArray conds && conds.Count > 0)
        {
            w.WriteLine("Conditions:");
            var rows = conds.OfType<JsonObject>().Select(cd => (IReadOnlyList<string>)
            [
                "  " + ((string?)cd["type"] ?? ""), (string?)cd["status"] ?? "", (string?)cd["reason"] ?? "",
                DateTimeOffset.TryParse((string?)cd["lastTransitionTime"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? Age.Since(t, now) : "",
                (string?)cd["message"] ?? "",
            ]);
            TableWriter.Write(w, ["  TYPE", "STATUS", "REASON", "AGE", "MESSAGE"], rows);
        }
        if (o.Status is JsonObject status && status.Any(kv => kv.Key != "conditions"))
        {
            var rest = (JsonObject)status.DeepClone();
            rest.Remove("conditions");
            w.WriteLine("Status:");
            Indent(w, YamlCodec.Write(rest));
        }
    }

    private static void Indent(TextWriter w, string yaml)
    {
        foreach (var line in yaml.TrimEnd('\n').Split('\n')) w.WriteLine("  " + line);
    }
}
