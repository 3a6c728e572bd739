using System.Diagnostics;
using System.Text;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>A child server process with its output kept (bounded) for failure messages; killed on dispose.</summary>
public sealed class ExternalProcess : IDisposable
{
    private const int MaxOutput = 64 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public ExternalProcess(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Resolve(file)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment) start.Environment[k] = v;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Finds daemons in sbin too: a non-login PATH often lacks it (named lives in /usr/sbin).</summary>
    public static string Resolve(string file)
    {
        foreach (var dir in new[] { "/usr/sbin", "/usr/bin", "/sbin", "/usr/local/bin" })
            if (File.Exists(Path.Combine(dir, file))) return Path.Combine(dir, file);
        return file;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
            if (_output.Length < MaxOutput) _output.AppendLine(line);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
