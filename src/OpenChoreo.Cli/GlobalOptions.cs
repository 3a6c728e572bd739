using System.CommandLine;
using OpenChoreo.Client;
using OpenChoreo.Model;

namespace OpenChoreo.Cli;

/// <summary>Options every command accepts: which configuration file and context to use.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Config { get; } = new("--config")
    {
        Description = "Path of the CLI configuration (default: $OPENCHOREO_CONFIG or ~/.openchoreo/config)",
        Recursive = true,
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "Use this context instead of the current one",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Add(Config);
        root.Add(Context);
    }

    public string ConfigPath(ParseResult p) => p.GetValue(Config) ?? ClientConfig.DefaultPath;

    /// <summary>The context to talk to, or a clear error telling the user how to set one up.</summary>
    public ClientContext ResolveContext(ParseResult p)
    {
        var path = ConfigPath(p);
        var config = ClientConfig.Load(path);
        var name = p.GetValue(Context) ?? config.CurrentContext;
        if (name is null)
        {
            throw new CliException($"no control plane is configured in {path}: run './openchoreo up' (it configures occ) or 'occ config set-context NAME --server URL --token TOKEN'");
        }
        return config.Contexts.FirstOrDefault(c => c.Name == name)
            ?? throw new CliException($"context \"{name}\" does not exist in {path} (see 'occ config get-contexts')");
    }

    public ApiClient Connect(ParseResult p) => new(ResolveContext(p));
}

/// <summary>A user-facing error: printed as "error: message", exit code 1.</summary>
public sealed class CliException(string message) : Exception(message);

internal static class CommandRunner
{
    /// <summary>Runs a command body, turning known failures into a message on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(CliIO io, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliException e)
        {
            await io.Err.WriteLineAsync("error: " + e.Message);
            return 1;
        }
        catch (ApiException e)
        {
            await io.Err.WriteLineAsync(Describe(e));
            return 1;
        }
        catch (FormatException e)
        {
            await io.Err.WriteLineAsync("error: " + e.Message);
            return 1;
        }
        catch (IOException e)
        {
            await io.Err.WriteLineAsync("error: " + e.Message);
            return 1;
        }
    }

    public static string Describe(ApiException e) =>
        ApiClient.IsUnreachable(e) ? "error: " + e.Message : $"Error from server ({e.Reason}): {e.Message}";

    /// <summary>Resolves what the user typed as a kind, with a helpful list when it is unknown.</summary>
    public static ResourceKind ResolveKind(string typed) =>
        KindRegistry.Default.Resolve(typed)
        ?? throw new CliException($"the server doesn't have a resource type \"{typed}\"; known types: " +
            string.Join(", ", KindRegistry.Default.All.Select(k => k.Plural)));
}
