using System.CommandLine;
using System.Reflection;

namespace OpenChoreo.Cli.Commands;

/// <summary><c>occ version</c>: the client's version and, when reachable, the server's.</summary>
public static class VersionCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var clientOnly = new Option<bool>("--client") { Description = "Print only the client version" };
        var cmd = new Command("version", "Print the client and server versions") { clientOnly };
        cmd.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            await io.Out.WriteLineAsync($"Client Version: {version.Split('+')[0]}");
            if (p.GetValue(clientOnly)) return 0;
            using var client = globals.Connect(p);
            var server = await client.GetJsonAsync("/version", ct);
            await io.Out.WriteLineAsync($"Server Version: {((string?)server["version"])?.Split('+')[0]} ({(string?)server["apiVersion"]}, compatible with {(string?)server["upstreamCompatibility"]})");
            return 0;
        }));
        return cmd;
    }
}
