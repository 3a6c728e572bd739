using System.CommandLine;
using OpenChoreo.Client;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary><c>occ delete -f FILE | KIND NAME… [--wait]</c>.</summary>
public static class DeleteCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var kindArg = new Argument<string?>("kind") { Description = "Resource type", Arity = ArgumentArity.ZeroOrOne };
        var names = new Argument<string[]>("names") { Description = "Names of the objects", Arity = ArgumentArity.ZeroOrMore };
        var files = new Option<string[]>("--filename", "-f") { Description = "Delete the objects in these manifests" };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Process directories recursively" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Organization (namespace); default: the context's" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the objects are gone (finalizers done)" };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "How long --wait waits", DefaultValueFactory = _ => TimeSpan.FromMinutes(2) };
        var ignoreNotFound = new Option<bool>("--ignore-not-found") { Description = "Treat a missing object as success" };
        var cmd = new Command("delete", "Delete resources by name or from manifests") { kindArg, names, files, recursive, ns, wait, timeout, ignoreNotFound };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            using var client = globals.Connect(p);
            var targets = new List<(ResourceKind Kind, string Ns, string Name)>();
            var defaultNs = p.GetValue(ns) ?? client.Context.Namespace;
            if (p.GetValue(files) is { Length: > 0 } paths)
            {
                if (p.GetValue(kindArg) is not null) throw new CliException("give either -f or KIND NAME, not both");
                // Contents before the organizations that hold them.
                foreach (var m in ManifestReader.Read(paths, p.GetValue(recursive), io.In).OrderBy(m => m.Object.Kind == "Organization" ? 1 : 0))
                {
                    var kind = KindRegistry.Default.Find(m.Object.ApiVersion, m.Object.Kind)
                        ?? throw new CliException($"{m.Source}: unknown kind \"{m.Object.Kind}\" ({m.Object.ApiVersion})");
                    targets.Add((kind, kind.Namespaced ? (string.IsNullOrEmpty(m.Object.Namespace) ? defaultNs : m.Object.Namespace) : "", m.Object.Name));
                }
            }
            else
            {
                var typed = p.GetValue(kindArg) ?? throw new CliException("give KIND NAME or -f FILE (see 'occ delete --help')");
                var kind = CommandRunner.ResolveKind(typed);
                var list = p.GetValue(names) ?? [];
                if (list.Length == 0) throw new CliException($"give the name of the {kind.Singular} to delete");
                targets.AddRange(list.Select(n => (kind, kind.Namespaced ? defaultNs : "", n)));
            }
            var failures = 0;
            foreach (var (kind, tns, name) in targets)
            {
                try
                {
                    if (await client.DeleteAsync(kind, tns, name, ct))
                    {
                        await io.Out.WriteLineAsync($"{kind.Singular}.{kind.Group} \"{name}\" deleted");
                    }
                    else if (!p.GetValue(ignoreNotFound))
                    {
                        failures++;
                        await io.Err.WriteLineAsync($"Error from server (NotFound): {kind.Plural}.{kind.Group} \"{name}\" not found");
                    }
                }
                catch (ApiException e) when (!ApiClient.IsUnreachable(e))
                {
                    failures++;
                    await io.Err.WriteLineAsync(CommandRunner.Describe(e));
                }
            }
            if (p.GetValue(wait)) await WaitGoneAsync(client, targets, p.GetValue(timeout), io, ct);
            return failures == 0 ? 0 : 1;
        }));
        return cmd;
    }

    /// <summary>Polls until every object is gone; a finalizer that never finishes ends in a clear timeout.</summary>
    private static async Task WaitGoneAsync(ApiClient client, List<(ResourceKind Kind, string Ns, string Name)> targets,
        TimeSpan timeout, CliIO io, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        foreach (var (kind, ns, name) in targets)
        {
            while (await client.TryGetAsync(kind, ns, name, ct) is { } still)
            {
                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new CliException($"timed out waiting for {kind.Singular} \"{name}\" to be deleted; pending finalizers: {string.Join(", ", still.Finalizers)}");
                }
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            }
        }
        await io.Out.WriteLineAsync("all deleted objects are gone");
    }
}
