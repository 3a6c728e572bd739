using System.Diagnostics;
using System.Globalization;

/// <summary>
/// nginx from the distribution as a child process on a loopback port, with its config, pid, logs and temp paths in a
/// directory of its own; dropped to 'nobody' with setpriv when the bench runs as root.
/// </summary>
internal sealed class Nginx : IAsyncDisposable
{
    private readonly Process _process;

    private Nginx(Process process, string dir, int port)
    {
        _process = process;
        Dir = dir;
        Port = port;
    }

    public string Dir { get; }
    public int Port { get; }

    /// <summary>Serves <paramref name="www"/> (static files) when <paramref name="upstreamPort"/> is null, else proxies to it with keep-alive.</summary>
    public static async Task<Nginx> StartAsync(string dir, int port, int workers, string? www, int? upstreamPort)
    {
        Directory.CreateDirectory(dir);
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        var temp = string.Join("\n", ((string[])["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]).Select(t => $"  {t}_temp_path {dir}/tmp/{t};"));
        var location = upstreamPort is { } up
            ? $$"""
                location / {
                  proxy_pass http://backend;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_set_header X-Forwarded-Host $host;
                }
              """
            : $"    location / {{ root {www}; }}";
        var upstream = upstreamPort is { } u ? $"  upstream backend {{ server 127.0.0.1:{u}; keepalive 128; }}" : "";
        await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
            worker_processes {{workers}};
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
            {{temp}}
            {{upstream}}
              server {
                listen 127.0.0.1:{{port}} reuseport;
            {{location}}
              }
            }
            """);
        var root = Environment.UserName == "root";
        if (root) Run("chown", "-R", "65534:65534", dir);
        var info = new ProcessStartInfo(root ? "setpriv" : "/usr/sbin/nginx") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])(root ? ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/sbin/nginx"] : []))
            info.ArgumentList.Add(a);
        foreach (var a in (string[])["-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log"), "-g", "daemon off;"])
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Nginx(process, dir, port);
    }

    /// <summary>Resident memory of the master and its workers.</summary>
    public long RssBytes()
    {
        var pids = new List<int> { _process.Id };
        var children = $"/proc/{_process.Id}/task/{_process.Id}/children";
        if (File.Exists(children))
            pids.AddRange(File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        return pids.Sum(Rss);
    }

    public static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args))!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM lets the master stop its workers; a SIGKILLed master orphans them, and they keep the redirected
            // pipes open so the wait below would never end.
            using var stop = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await stop.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
