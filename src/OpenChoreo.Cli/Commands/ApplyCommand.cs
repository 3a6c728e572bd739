using System.CommandLine;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// <c>occ apply -f FILE|DIR|- [-R] [-n NS]</c>: create or update every document, in <see cref="ApplyOrder"/>, reporting
/// each outcome.
/// </summary>
public static class ApplyCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "File, directory or '-' (stdin) with YAML or JSON manifests; repeatable",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Process directories recursively" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Organization (namespace) for documents that do not set one" };
        var cmd = new Command("apply", "Create or update resources from manifests (applying an unchanged file changes nothing)")
        {
            files, recursive, ns,
        };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            var manifests = ManifestReader.Read(p.GetValue(files) ?? [], p.GetValue(recursive), io.In);
            if (manifests.Count == 0) throw new CliException("no objects passed to apply");
            using var client = globals.Connect(p);
            var defaultNs = p.GetValue(ns);
            var failures = 0;
            // Dependencies first (organizations, types, projects before components...): file order must not matter.
            foreach (var m in ApplyOrder.Sort(manifests))
            {
                try
                {
                    var kind = KindFor(m);
                    var obj = m.Object;
                    if (kind.Namespaced)
                    {
                        if (string.IsNullOrEmpty(obj.Namespace)) obj.Namespace = defaultNs ?? client.Context.Namespace;
                        else if (defaultNs is not null && defaultNs != obj.Namespace)
                        {
                            throw new CliException($"{m.Source}: the namespace of {kind.Kind} \"{obj.Name}\" ({obj.Namespace}) does not match --namespace={defaultNs}");
                        }
                    }
                    if (string.IsNullOrEmpty(obj.Name)) throw new CliException($"{m.Source}: a {kind.Kind} has no metadata.name");
                    var (_, outcome) = await client.ApplyAsync(kind, obj, ct);
                    await io.Out.WriteLineAsync($"{kind.Singular}.{kind.Group}/{obj.Name} {outcome}");
                }
                catch (CliException e)
                {
                    failures++;
                    await io.Err.WriteLineAsync("error: " + e.Message);
                }
                catch (ApiException e) when (!OpenChoreo.Client.ApiClient.IsUnreachable(e))
                {
                    failures++;
                    await io.Err.WriteLineAsync($"{CommandRunner.Describe(e)} ({m.Source})");
                }
            }
            return failures == 0 ? 0 : 1;
        }));
        return cmd;
    }

    private static ResourceKind KindFor(Manifest m)
    {
        var o = m.Object;
        if (string.IsNullOrEmpty(o.Kind) || string.IsNullOrEmpty(o.ApiVersion))
        {
            throw new CliException($"{m.Source}: a document has no {(string.IsNullOrEmpty(o.Kind) ? "kind" : "apiVersion")}");
        }
        return KindRegistry.Default.Find(o.ApiVersion, o.Kind)
            ?? throw new CliException($"{m.Source}: no kind \"{o.Kind}\" is served for apiVersion \"{o.ApiVersion}\" (this platform serves {KindRegistry.GroupVersion})");
    }
}
