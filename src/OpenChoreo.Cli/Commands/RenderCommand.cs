using System.CommandLine;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Offline;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// <c>occ render -f FILES… [--env NAME]</c>: renders Components offline (like <c>helm template</c>) from local
/// ComponentTypes, Traits, Components, Workloads, ReleaseBindings and SecretReferences to multi-document YAML.
/// ComponentTypes not among the files come from the built-in defaults. UIDs are deterministic placeholders.
/// </summary>
public static class RenderCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        _ = globals;
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "File, directory or '-' (stdin) with the manifests; repeatable",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Process directories recursively" };
        var env = new Option<string?>("--env", "-e") { Description = "Environment (default: the ReleaseBinding's, else development)" };
        var org = new Option<string?>("--org") { Description = "Organization (default: the Component's namespace, else default)" };
        var project = new Option<string?>("--project") { Description = "Project (default: the Component's spec.owner.projectName)" };
        var vhost = new Option<string>("--dataplane-vhost")
        {
            Description = "Public virtual host of the data plane",
            DefaultValueFactory = _ => "apps.openchoreo.localhost",
        };
        var secretStore = new Option<string>("--secret-store") { Description = "ClusterSecretStore name", DefaultValueFactory = _ => "default" };
        var component = new Option<string?>("--component") { Description = "Render only this Component" };
        var plane = new Option<string>("--plane")
        {
            Description = "Which resources to print: dataplane, observabilityplane or all",
            DefaultValueFactory = _ => "dataplane",
        };
        plane.AcceptOnlyFromAmong("dataplane", "observabilityplane", "all");
        var cmd = new Command("render", "Render Components to the manifests a data plane runs, offline (no control plane needed)")
        {
            files, recursive, env, org, project, vhost, secretStore, component, plane,
        };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            var manifests = ManifestReader.Read(p.GetValue(files) ?? [], p.GetValue(recursive), io.In)
                .Select(m => m.Object.Node).ToList();
            if (p.GetValue(component) is { } only)
            {
                manifests = [.. manifests.Where(o => (string?)o["kind"] != "Component" || (string?)o["metadata"]?["name"] == only)];
                if (!manifests.Any(o => (string?)o["kind"] == "Component")) throw new CliException($"Component \"{only}\" is not among the manifests");
            }
            var options = new OfflineRenderOptions
            {
                Environment = p.GetValue(env),
                Organization = p.GetValue(org),
                Project = p.GetValue(project),
                PublicVirtualHost = p.GetValue(vhost)!,
                SecretStore = p.GetValue(secretStore)!,
            };
            var results = OfflineRender.Render(manifests, options);
            var failed = results.Where(r => !r.Result.Succeeded).ToList();
            foreach (var f in failed)
            {
                var who = f.ComponentName.Length > 0 ? $"component \"{f.ComponentName}\": " : "";
                foreach (var e in f.Result.Errors) await io.Err.WriteLineAsync($"error: {who}{e}");
            }
            if (failed.Count > 0) return 1;
            var which = p.GetValue(plane);
            var docs = results.SelectMany(r => r.Result.Resources)
                .Where(r => which == "all" || r.TargetPlane == which)
                .Select(r => (JsonNode?)r.Object);
            await io.Out.WriteAsync(YamlCodec.WriteAll(docs));
            ct.ThrowIfCancellationRequested();
            return 0;
        }));
        return cmd;
    }

}
