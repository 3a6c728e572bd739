using System.CommandLine;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Client;

namespace OpenChoreo.Server;

/// <summary>
/// <c>openchoreo up</c>: every plane on this machine with embedded defaults (DESIGN §2). It keeps its settings in the
/// data directory (so a restart reuses the same port and identity), configures the CLI context for this instance, and
/// prints where everything is. The repository's <c>./openchoreo up</c> script builds and then runs this.
/// </summary>
public static class UpCommand
{
    public const string PidFile = "openchoreo.pid";
    public const string ReadyFile = "ready";

    public static string DefaultDataDir =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".openchoreo", "default");

    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Instance directory (default ~/.openchoreo/default); several instances need several directories" };
        var port = new Option<int?>("--port") { Description = "API port on 127.0.0.1 (default 8443, remembered per data directory; 0 picks a free one)" };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Cluster gateway (agent mTLS) port on 127.0.0.1 (default 8444, or the API port + 1 when --port is given; 0 picks a free one)" };
        var context = new Option<string?>("--context-name") { Description = "Name of the CLI context for this instance (default: local, or the data directory's name)" };
        var config = new Option<string?>("--config", "-c") { Description = "Extra YAML configuration file" };
        var cmd = new Command("up", "Run every plane on this machine (foreground)") { dataDir, port, gatewayPort, context, config };
        cmd.SetAction(async (p, ct) =>
        {
            var dir = Path.GetFullPath(p.GetValue(dataDir) ?? DefaultDataDir);
            Directory.CreateDirectory(dir);
            var pidPath = Path.Combine(dir, PidFile);
            if (AlreadyRunning(pidPath) is { } pid)
            {
                await Console.Error.WriteLineAsync($"error: an instance is already running from {dir} (pid {pid}); stop it with ./openchoreo down --data-dir {dir}");
                return 2;
            }
            var settings = UpSettings.Load(dir);
            if (p.GetValue(port) is { } chosen)
            {
                settings.Port = chosen;
                settings.GatewayPort = chosen == 0 ? 0 : chosen + 1;
            }
            if (p.GetValue(gatewayPort) is { } chosenGateway) settings.GatewayPort = chosenGateway;
            settings.ContextName = p.GetValue(context) ?? settings.ContextName ?? (dir == DefaultDataDir ? "local" : Path.GetFileName(dir));
            var overrides = new Dictionary<string, string?>
            {
                ["dataDir"] = dir,
                ["listen"] = $"https://127.0.0.1:{settings.Port}",
                ["clusterGateway:listen"] = $"https://127.0.0.1:{settings.GatewayPort}",
                ["contextName"] = settings.ContextName,
            };
            File.Delete(Path.Combine(dir, ReadyFile));
            await File.WriteAllTextAsync(pidPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            try
            {
                return await ServerCli.RunHostAsync(p.GetValue(config), overrides, (app, token) => OnReadyAsync(app, dir, settings, token), ct);
            }
            finally
            {
                File.Delete(pidPath);
                File.Delete(Path.Combine(dir, ReadyFile));
            }
        });
        return cmd;
    }

    private static async Task OnReadyAsync(WebApplication app, string dir, UpSettings settings, CancellationToken ct)
    {
        var gate = app.Services.GetRequiredService<ReadinessGate>();
        while (!gate.IsReady) await Task.Delay(50, ct);
        var instance = ClientConfig.Load(AdminAccessBootstrapper.ConfigPath(dir)).Current;
        if (instance is null)
        {
            await Console.Error.WriteLineAsync($"warning: no CLI configuration in {AdminAccessBootstrapper.ConfigPath(dir)}; occ is not configured for this instance");
            return;
        }
        settings.Port = new Uri(instance.Server).Port;
        settings.Save(dir);
        var userConfigPath = ClientConfig.DefaultPath;
        var userConfig = ClientConfig.Load(userConfigPath);
        userConfig.Upsert(instance, makeCurrent: true);
        userConfig.Save(userConfigPath);
        var down = dir == DefaultDataDir ? "./openchoreo down" : $"./openchoreo down --data-dir {dir}";
        var banner = $"""

            OpenChoreo is up.
              API server   {instance.Server}
              Data dir     {dir}
              CLI          bin/occ   (context "{instance.Name}" in {userConfigPath}, now current)

            Try:
              bin/occ get organizations
              bin/occ get componenttypes
              bin/occ apply -f <upstream sample YAML>
              bin/occ get components -A

            Stop with Ctrl+C, or '{down}' when started with --detach.

            """;
        await File.WriteAllTextAsync(Path.Combine(dir, ReadyFile), banner, ct);
        Console.Out.Write(banner);
        await Console.Out.FlushAsync(ct);
    }

    private static int? AlreadyRunning(string pidPath)
    {
        if (!File.Exists(pidPath) || !int.TryParse(File.ReadAllText(pidPath).Trim(), out var pid)) return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited || pid == Environment.ProcessId ? null : pid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
