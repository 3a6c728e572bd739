using System.Diagnostics;
using System.Text;

namespace OpenChoreo.Server.Tests;

/// <summary>What a finished child process printed and returned.</summary>
public sealed record ProcessResult(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs a command to completion under a hard timeout; a command that overruns is killed and its output reported.</summary>
public static class ChildProcess
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null,
        string? workingDirectory = null, TimeSpan? timeout = null, CancellationToken ct = default, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"'{file} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout ?? TimeSpan.FromSeconds(60)}\n--- stdout\n{await stdout}\n--- stderr\n{await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A long-running child process whose output is kept (bounded) for failure reports.</summary>
public sealed class CapturedProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private CapturedProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static CapturedProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, string workingDirectory)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        var process = new Process { StartInfo = info };
        var captured = new CapturedProcess(process);
        process.OutputDataReceived += (_, e) => captured.Append(e.Data);
        process.ErrorDataReceived += (_, e) => captured.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return captured;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            // Keep the newest ~1 MB: enough for a failure report, bounded for a long run.
            if (_output.Length > 1 << 20) _output.Remove(0, _output.Length / 2);
            _output.AppendLine(line);
        }
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The last <paramref name="lines"/> lines of output.</summary>
    public string Tail(int lines = 80)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
