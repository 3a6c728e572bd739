using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using OpenChoreo.Testing;

namespace OpenChoreo.MultiCluster.Tests;

/// <summary>
/// One real <c>openchoreo</c> process (the built server executable) running inside a network namespace, with its
/// output kept for assertions and for failure messages. Killed with its children on dispose.
/// </summary>
internal sealed class PlaneProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private PlaneProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>dotnet openchoreo.dll ARGS</c> in <paramref name="ns"/> with extra environment variables.</summary>
    public static PlaneProcess Start(string name, NetworkNamespace ns, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = ns.Exec(DotnetHost, [ServerDll, .. args]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The test's own settings must not leak into the plane (e.g. a CLI config or store settings).
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("OPENCHOREO_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = new Process { StartInfo = psi };
        var plane = new PlaneProcess(name, process);
        process.OutputDataReceived += (_, e) => plane.Add(e.Data);
        process.ErrorDataReceived += (_, e) => plane.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return plane;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        while (_lines.Count > 2000) _lines.TryDequeue(out _);
    }

    /// <summary>Waits until a line of output matches; fails early (with the output) if the process exits.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan timeout, CancellationToken ct)
    {
        string? found = null;
        try
        {
            await Eventually.WaitUntilAsync(() =>
            {
                found = _lines.FirstOrDefault(match);
                if (found is null && _process.HasExited) throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before {what}:\n{Tail()}");
                return found is not null;
            }, what, timeout, ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Name} said:\n{Tail()}", e);
        }
        return found!;
    }

    public string Tail(int count = 40) => string.Join('\n', _lines.TakeLast(count).Select(l => "  | " + l));

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    /// <summary>The dotnet host that runs this test (the server runs on the same runtime).</summary>
    private static string DotnetHost
    {
        get
        {
            var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            var host = Path.Combine(root, "dotnet");
            return File.Exists(host) ? host : "dotnet";
        }
    }

    /// <summary>The built server executable, copied next to the tests by the project reference.</summary>
    private static string ServerDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "openchoreo.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("the built openchoreo server is missing next to the tests", dll);
        }
    }
}
