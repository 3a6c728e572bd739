using System.CommandLine;
using System.Text.Json.Nodes;
using OpenChoreo.Cli.Output;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary><c>occ status COMPONENT</c>: one row per environment of the component's pipeline.</summary>
public static class StatusCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var component = new Argument<string>("component") { Description = "Name of the component" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Organization (namespace); default: the context's" };
        var output = new Option<string?>("--output", "-o") { Description = "Output format: json or yaml (default: a table)" };
        output.AcceptOnlyFromAmong("json", "yaml");
        var cmd = new Command("status", "Show a component per environment of its pipeline: release, state, readiness, URL and age") { component, ns, output };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            using var client = globals.Connect(p);
            var path = DeliveryCommands.ComponentPath(p.GetValue(ns) ?? client.Context.Namespace, p.GetValue(component)!, "status");
            var status = await client.GetJsonAsync(path, ct);
            switch (p.GetValue(output))
            {
                case "json":
                    await io.Out.WriteLineAsync(status.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                    return 0;
                case "yaml":
                    await io.Out.WriteAsync(YamlCodec.Write(status));
                    return 0;
            }
            Print(io.Out, status, DateTimeOffset.UtcNow);
            return 0;
        }));
        return cmd;
    }

    internal static void Print(TextWriter w, JsonNode status, DateTimeOffset now)
    {
        var rows = new List<IReadOnlyList<string>>();
        var pending = new List<string>();
        foreach (var row in (status["environments"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var env = (string?)row["environment"] ?? "";
            var ready = (string?)row["ready"];
            var reason = (string?)row["reason"];
            var since = DateTimeOffset.TryParse((string?)row["since"], System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? Age.Since(t, now) : "-";
            rows.Add([
                env,
                Or((string?)row["releaseName"]),
                Or((string?)row["state"]),
                ready is null ? "-" : ready == "True" || string.IsNullOrEmpty(reason) ? ready : $"{ready} ({reason})",
                Or((string?)row["url"]),
                since,
            ]);
            foreach (var name in (row["pendingPromotions"] as JsonArray)?.Select(n => (string?)n) ?? [])
            {
                pending.Add($"promotion pending approval: {name} (to {env})");
            }
        }
        TableWriter.Write(w, ["ENVIRONMENT", "RELEASE", "STATE", "READY", "URL", "AGE"], rows);
        foreach (var line in pending) w.WriteLine(line);
    }

    private static string Or(string? s) => string.IsNullOrEmpty(s) ? "-" : s;
}
