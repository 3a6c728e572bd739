using System.CommandLine;
using OpenChoreo.Cli.Output;
using OpenChoreo.Client;

namespace OpenChoreo.Cli.Commands;

/// <summary><c>occ config</c>: manage the contexts in ~/.openchoreo/config (tokens are never printed).</summary>
public static class ConfigCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var cmd = new Command("config", "Manage control-plane contexts in the CLI configuration");

        var getContexts = new Command("get-contexts", "List the contexts");
        getContexts.SetAction(p => CommandRunner.RunAsync(io, () =>
        {
            var config = ClientConfig.Load(globals.ConfigPath(p));
            TableWriter.Write(io.Out, ["CURRENT", "NAME", "SERVER", "NAMESPACE"],
                config.Contexts.Select(c => (IReadOnlyList<string>)[c.Name == config.CurrentContext ? "*" : "", c.Name, c.Server, c.Namespace]));
            return Task.FromResult(0);
        }));

        var current = new Command("current-context", "Print the current context");
        current.SetAction(p => CommandRunner.RunAsync(io, async () =>
        {
            var config = ClientConfig.Load(globals.ConfigPath(p));
            if (config.CurrentContext is null) throw new CliException("no current context is set");
            await io.Out.WriteLineAsync(config.CurrentContext);
            return 0;
        }));

        var nameArg = new Argument<string>("name") { Description = "Context name" };
        var use = new Command("use-context", "Make a context the current one") { nameArg };
        use.SetAction(p => CommandRunner.RunAsync(io, async () =>
        {
            var path = globals.ConfigPath(p);
            var config = ClientConfig.Load(path);
            var name = p.GetValue(nameArg)!;
            if (config.Contexts.All(c => c.Name != name)) throw new CliException($"context \"{name}\" does not exist");
            config.CurrentContext = name;
            config.Save(path);
            await io.Out.WriteLineAsync($"Switched to context \"{name}\".");
            return 0;
        }));

        var setName = new Argument<string>("name") { Description = "Context name" };
        var server = new Option<string?>("--server") { Description = "API server URL, e.g. https://127.0.0.1:8443" };
        var token = new Option<string?>("--token") { Description = "Bearer token" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Default organization (namespace)" };
        var ca = new Option<string?>("--certificate-authority") { Description = "PEM file of the CA that signs the server certificate" };
        var set = new Command("set-context", "Create or change a context") { setName, server, token, ns, ca };
        set.SetAction(p => CommandRunner.RunAsync(io, async () =>
        {
            var path = globals.ConfigPath(p);
            var config = ClientConfig.Load(path);
            var name = p.GetValue(setName)!;
            var existing = config.Contexts.FirstOrDefault(c => c.Name == name);
            var url = p.GetValue(server) ?? existing?.Server ?? throw new CliException("a new context needs --server");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            {
                throw new CliException($"--server \"{url}\" is not an http(s) URL");
            }
            var context = new ClientContext
            {
                Name = name,
                Server = url,
                Token = p.GetValue(token) ?? existing?.Token,
                Namespace = p.GetValue(ns) ?? existing?.Namespace ?? "default",
                CertificateAuthority = p.GetValue(ca) is { } caFile ? File.ReadAllText(caFile) : existing?.CertificateAuthority,
            };
            config.Upsert(context, makeCurrent: config.CurrentContext is null);
            config.Save(path);
            await io.Out.WriteLineAsync($"Context \"{name}\" {(existing is null ? "created" : "modified")}.");
            return 0;
        }));

        var view = new Command("view", "Show the configuration (tokens redacted)");
        view.SetAction(p => CommandRunner.RunAsync(io, async () =>
        {
            var config = ClientConfig.Load(globals.ConfigPath(p));
            await io.Out.WriteLineAsync($"currentContext: {config.CurrentContext}");
            await io.Out.WriteLineAsync("contexts:");
            foreach (var c in config.Contexts)
            {
                await io.Out.WriteLineAsync($"- name: {c.Name}\n  server: {c.Server}\n  namespace: {c.Namespace}\n  token: {(string.IsNullOrEmpty(c.Token) ? "<none>" : "REDACTED")}\n  certificateAuthority: {(string.IsNullOrEmpty(c.CertificateAuthority) ? "<system>" : "DATA+OMITTED")}");
            }
            return 0;
        }));

        cmd.Add(getContexts);
        cmd.Add(current);
        cmd.Add(use);
        cmd.Add(set);
        cmd.Add(view);
        return cmd;
    }
}
