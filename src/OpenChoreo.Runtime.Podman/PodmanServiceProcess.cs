using System.Diagnostics;
using System.Net.Sockets;

namespace OpenChoreo.Runtime.Podman;

/// <summary>A <c>podman system service</c> the runtime started itself, listening on a unix socket.</summary>
public sealed class PodmanServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PodmanServiceProcess(Process process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Starts the service and waits until the socket accepts connections.</summary>
    public static async Task<PodmanServiceProcess> StartAsync(string podmanPath, string socketPath, string? containersConf, TimeSpan timeout, CancellationToken ct)
    {
        if (File.Exists(socketPath)) File.Delete(socketPath);
        var info = new ProcessStartInfo(podmanPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["system", "service", "--time=0", "unix://" + socketPath]) info.ArgumentList.Add(arg);
        if (!string.IsNullOrEmpty(containersConf)) info.Environment["CONTAINERS_CONF"] = containersConf;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{podmanPath}'.");
        // Drain the pipes so the service never blocks on a full one.
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"podman system service exited with code {process.ExitCode}.");
            if (File.Exists(socketPath))
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new PodmanServiceProcess(process, socketPath);
                }
                catch (SocketException) { }
            }
            if (deadline.Elapsed > timeout)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"podman system service did not open {socketPath} within {timeout}.");
            }
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Containers keep running: they are conmon's children, not the service's.
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }
}
