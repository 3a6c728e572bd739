using System.CommandLine;
using OpenChoreo.Cli.Commands;

namespace OpenChoreo.Cli;

/// <summary>Builds the <c>occ</c> command tree. Output goes to the given writers so tests can run it in-process.</summary>
public static class CliApp
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin = null) =>
        InvokeAsync(args, stdout, stderr, stdin ?? Console.In, CancellationToken.None);

    /// <summary>Runs a command until it ends or <paramref name="ct"/> stops it (e.g. <c>get -w</c> in a test).</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin, CancellationToken ct)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("occ — the OpenChoreo command-line client.\n\n" +
            "Talks to an OpenChoreo control plane configured in ~/.openchoreo/config (see 'occ config').");
        globals.AddTo(root);
        var io = new CliIO(stdout, stderr, stdin);
        root.Add(ApplyCommand.Create(globals, io));
        root.Add(GetCommand.Create(globals, io));
        root.Add(DescribeCommand.Create(globals, io));
        root.Add(DeleteCommand.Create(globals, io));
        root.Add(ConfigCommand.Create(globals, io));
        root.Add(VersionCommand.Create(globals, io));
        root.Add(CelCommand.Create(io));
        root.Add(RenderCommand.Create(globals, io));
        root.Add(PlaneCommand.Create(globals, io));
        root.Add(PlanCommand.Create(io));
        root.Add(DoctorCommand.Create(globals, io));
        foreach (var c in DeliveryCommands.Create(globals, io)) root.Add(c);
        root.Add(StatusCommand.Create(globals, io));
        root.Add(SecretCommand.Create(globals, io));
        var parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, ct);
    }
}

/// <summary>The writers and reader a command uses.</summary>
public sealed record CliIO(TextWriter Out, TextWriter Err, TextReader In);
