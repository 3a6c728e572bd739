using System.CommandLine;
using System.Text.Json.Nodes;
using OpenChoreo.Client;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// The delivery verbs: <c>occ deploy|promote|rollback|undeploy|suspend|resume COMPONENT …</c> and
/// <c>occ approve|reject PROMOTION</c>. Each is one call to a task route; the server says what happened and we print it.
/// </summary>
public static class DeliveryCommands
{
    public static IEnumerable<Command> Create(GlobalOptions globals, CliIO io) =>
    [
        Deploy(globals, io), Promote(globals, io), Rollback(globals, io),
        State(globals, io, "undeploy", "Remove a component from an environment's data plane, keeping its binding (undo with 'occ resume')"),
        State(globals, io, "suspend", "Keep a component delivered to an environment but scale it to zero (undo with 'occ resume')"),
        State(globals, io, "resume", "Run a suspended or undeployed component again in an environment"),
        Decide(globals, io, "approve", "Approve a pending promotion and deploy its release to the target (approver ≠ requester; the bootstrap admin may self-approve only while it is the only user)"),
        Decide(globals, io, "reject", "Reject a pending promotion: the target environment stays as it is"),
    ];

    private static Option<string?> Namespace() => new("--namespace", "-n") { Description = "Organization (namespace); default: the context's" };

    private static Argument<string> ComponentArg() => new("component") { Description = "Name of the component" };

    private static Command Deploy(GlobalOptions globals, CliIO io)
    {
        var component = ComponentArg();
        var env = new Option<string?>("--env", "-e") { Description = "Environment to deploy to (default: the first environment of the project's pipeline)" };
        var release = new Option<string?>("--release", "-r") { Description = "ComponentRelease to deploy (default: the component's latest release)" };
        var ns = Namespace();
        var cmd = new Command("deploy", "Deploy a component's release (default: its latest) to an environment (default: the pipeline's first)") { component, env, release, ns };
        cmd.SetAction((p, ct) => Run(globals, io, p, ns, p.GetValue(component)!, "deploy",
            Body(("env", p.GetValue(env)), ("release", p.GetValue(release))), ct));
        return cmd;
    }

    private static Command Promote(GlobalOptions globals, CliIO io)
    {
        var component = ComponentArg();
        var from = new Option<string>("--from") { Description = "Source environment (its current release is promoted)", Required = true };
        var to = new Option<string>("--to") { Description = "Target environment; must follow --from in the project's DeploymentPipeline", Required = true };
        var ns = Namespace();
        var cmd = new Command("promote", "Promote the release of one environment to the next along a pipeline path; a path that requires approval creates a pending Promotion (see 'occ approve')")
            { component, from, to, ns };
        cmd.SetAction((p, ct) => Run(globals, io, p, ns, p.GetValue(component)!, "promote",
            Body(("from", p.GetValue(from)), ("to", p.GetValue(to))), ct));
        return cmd;
    }

    private static Command Rollback(GlobalOptions globals, CliIO io)
    {
        var component = ComponentArg();
        var env = new Option<string>("--env", "-e") { Description = "Environment to roll back", Required = true };
        var to = new Option<string?>("--to") { Description = "ComponentRelease to go back to (default: the release created before the current one)" };
        var ns = Namespace();
        var cmd = new Command("rollback", "Go back to an earlier release of a component in an environment (default: the one before the current)") { component, env, to, ns };
        cmd.SetAction((p, ct) => Run(globals, io, p, ns, p.GetValue(component)!, "rollback",
            Body(("env", p.GetValue(env)), ("to", p.GetValue(to))), ct));
        return cmd;
    }

    private static Command State(GlobalOptions globals, CliIO io, string verb, string description)
    {
        var component = ComponentArg();
        var env = new Option<string>("--env", "-e") { Description = "Environment", Required = true };
        var ns = Namespace();
        var cmd = new Command(verb, description) { component, env, ns };
        cmd.SetAction((p, ct) => Run(globals, io, p, ns, p.GetValue(component)!, verb, Body(("env", p.GetValue(env))), ct));
        return cmd;
    }

    private static Command Decide(GlobalOptions globals, CliIO io, string verb, string description)
    {
        var name = new Argument<string>("promotion") { Description = "Name of the Promotion (see 'occ get promotions')" };
        var reason = new Option<string?>("--reason") { Description = "Why; recorded in the promotion's status" };
        var ns = Namespace();
        var cmd = new Command(verb, description) { name, reason, ns };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            using var client = globals.Connect(p);
            var path = $"/api/v1/namespaces/{Uri.EscapeDataString(p.GetValue(ns) ?? client.Context.Namespace)}/promotions/{Uri.EscapeDataString(p.GetValue(name)!)}/{verb}";
            var result = await client.PostJsonAsync(path, Body(("reason", p.GetValue(reason))), ct);
            await io.Out.WriteLineAsync((string?)result["message"] ?? "done");
            return 0;
        }));
        return cmd;
    }

    private static Task<int> Run(GlobalOptions globals, CliIO io, ParseResult p, Option<string?> ns, string component, string verb,
        JsonObject body, CancellationToken ct) => CommandRunner.RunAsync(io, async () =>
    {
        using var client = globals.Connect(p);
        var result = await client.PostJsonAsync(ComponentPath(p.GetValue(ns) ?? client.Context.Namespace, component, verb), body, ct);
        await io.Out.WriteLineAsync((string?)result["message"] ?? "done");
        return 0;
    });

    internal static string ComponentPath(string ns, string component, string verb) =>
        $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/components/{Uri.EscapeDataString(component)}/{verb}";

    private static JsonObject Body(params (string Key, string? Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (k, v) in fields) if (!string.IsNullOrEmpty(v)) o[k] = v;
        return o;
    }
}
