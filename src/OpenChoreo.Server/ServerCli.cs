using System.CommandLine;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OpenChoreo.Server;

/// <summary>The <c>openchoreo</c> executable's roles (DESIGN §2).</summary>
public static class ServerCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("openchoreo — the OpenChoreo server. Each subcommand runs one role.");
        root.Add(ControlPlaneCommand());
        root.Add(UpCommand.Create());
        root.Add(AgentCommand.Create());
        var version = new Command("version", "Print the version");
        version.SetAction(_ => Console.WriteLine(Version));
        root.Add(version);
        return await root.Parse(args).InvokeAsync();
    }

    public static string Version =>
        typeof(ServerCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static Command ControlPlaneCommand()
    {
        var config = new Option<string?>("--config", "-c") { Description = "YAML configuration file (keys: dataDir, listen, store, tls, api, bootstrap)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory (overrides dataDir)" };
        var listen = new Option<string?>("--listen") { Description = "API listener URL, e.g. https://127.0.0.1:8443 (overrides listen)" };
        var cmd = new Command("control-plane", "Run the control plane: API server, store and controllers") { config, dataDir, listen };
        cmd.SetAction(async (p, ct) =>
        {
            var overrides = new Dictionary<string, string?>();
            if (p.GetValue(dataDir) is { } d) overrides["dataDir"] = Path.GetFullPath(d);
            if (p.GetValue(listen) is { } l) overrides["listen"] = l;
            return await RunHostAsync(p.GetValue(config), overrides, null, ct);
        });
        return cmd;
    }

    /// <summary>Runs a control-plane host until it stops; configuration errors print as one clear message.</summary>
    internal static async Task<int> RunHostAsync(string? configFile, Dictionary<string, string?> overrides,
        Func<Microsoft.AspNetCore.Builder.WebApplication, CancellationToken, Task>? onReady, CancellationToken ct)
    {
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = ControlPlaneHost.Build(configFile, overrides);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("error: invalid configuration:\n  " + string.Join("\n  ", e.Failures));
            return 2;
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return 2;
        }
        await using (app)
        {
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException or null)
            {
                await Console.Error.WriteLineAsync($"error: cannot listen: {e.Message} (is another instance running? choose another port with --port or --listen)");
                return 2;
            }
            if (onReady is not null) await onReady(app, ct);
            await app.WaitForShutdownAsync(ct);
        }
        return 0;
    }

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
