using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenChoreo.Server.Tests;

/// <summary>
/// The real, built <c>openchoreo up</c> as a child process with its own data directory and HOME (so ~/.openchoreo is never
/// touched), every port chosen free by the server; and the built <c>occ</c> run against the context <c>up</c> wrote.
/// Shared by the end-to-end tests and the apply-to-first-200 bench.
/// </summary>
public sealed partial class UpInstance : IAsyncDisposable
{
    public const string AppsDomain = "apps.openchoreo.localhost";
    private readonly CapturedProcess _process;

    private UpInstance(string root, CapturedProcess process)
    {
        Root = root;
        _process = process;
    }

    /// <summary>The checkout (the directory holding OpenChoreo.slnx), found from the build output.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>debug or release: the configuration this assembly was built in; the server and occ are taken from the same.</summary>
    public static string Configuration => Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));

    public static string ServerPath => Path.Combine(RepoRoot, "artifacts", "build", "bin", "OpenChoreo.Server", Configuration, "openchoreo");

    public static string OccPath => Path.Combine(RepoRoot, "artifacts", "build", "bin", "OpenChoreo.Cli", Configuration, "occ");

    public string Root { get; }

    public string Home => Path.Combine(Root, "home");

    public string DataDir => Path.Combine(Root, "data");

    /// <summary>What <c>up</c> printed when ready (the <c>ready</c> file).</summary>
    public string Banner { get; private set; } = "";

    public int ApiPort { get; private set; }

    public int AppsHttpPort { get; private set; }

    public int AppsHttpsPort { get; private set; }

    /// <summary>The cluster gateway port up.yaml remembers (the one taken, though the test asks for any).</summary>
    public int GatewayPort { get; private set; }

    /// <summary>The <c>openchoreo.dev/plane</c> label of this instance's containers, as the banner prints it.</summary>
    public string RuntimePlane { get; private set; } = "";

    /// <summary>The platform CA the README tells the user to trust.</summary>
    public string CaFile => Path.Combine(DataDir, "pki", "trust-bundle.crt.pem");

    public bool IsRunning => !_process.HasExited;

    /// <summary>The tail of up's output, for failure reports.</summary>
    public string LogTail(int lines = 80) => _process.Tail(lines);

    private Dictionary<string, string> Env => new() { ["HOME"] = Home };

    /// <summary>Starts <c>up</c> and waits for its <c>ready</c> file (state, not time); fails with its output when it exits or overruns.</summary>
    public static async Task<UpInstance> StartAsync(TimeSpan timeout, CancellationToken ct)
    {
        foreach (var exe in new[] { ServerPath, OccPath })
            if (!File.Exists(exe)) throw new FileNotFoundException($"{exe} is not built (build src/OpenChoreo.Server and src/OpenChoreo.Cli in {Configuration})");
        var root = Directory.CreateTempSubdirectory("oc-up-e2e-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "home"));
        var process = CapturedProcess.Start(ServerPath,
            ["up", "--data-dir", Path.Combine(root, "data"), "--port", "0", "--gateway-port", "0", "--apps-http-port", "0", "--apps-https-port", "0"],
            new Dictionary<string, string> { ["HOME"] = Path.Combine(root, "home") }, RepoRoot);
        var up = new UpInstance(root, process);
        try
        {
            var ready = Path.Combine(up.DataDir, "ready");
            var started = Stopwatch.StartNew();
            while (!File.Exists(ready))
            {
                if (process.HasExited) throw new InvalidOperationException($"openchoreo up exited with {process.ExitCode} before it was ready:\n{process.Tail()}");
                if (started.Elapsed > timeout) throw new TimeoutException($"openchoreo up was not ready within {timeout}:\n{process.Tail()}");
                await Task.Delay(50, ct);
            }
            up.Banner = await File.ReadAllTextAsync(ready, ct);
            var settings = await File.ReadAllTextAsync(Path.Combine(up.DataDir, "up.yaml"), ct);
            up.ApiPort = Setting(settings, "port");
            up.AppsHttpPort = Setting(settings, "appsHttpPort");
            up.AppsHttpsPort = Setting(settings, "appsHttpsPort");
            up.GatewayPort = Setting(settings, "gatewayPort");
            up.RuntimePlane = PlaneLabel().Match(up.Banner) is { Success: true } m ? m.Groups[1].Value
                : throw new InvalidOperationException($"the banner names no container label:\n{up.Banner}");
            return up;
        }
        catch
        {
            await up.DisposeAsync();
            throw;
        }
    }

    private static int Setting(string yaml, string key) =>
        Regex.Match(yaml, $@"^{key}: (\d+)\s*$", RegexOptions.Multiline) is { Success: true } m && int.Parse(m.Groups[1].Value) is > 0 and var port
            ? port
            : throw new InvalidOperationException($"up.yaml has no port '{key}':\n{yaml}");

    [GeneratedRegex(@"label=openchoreo\.dev/plane=(\S+)")]
    private static partial Regex PlaneLabel();

    /// <summary>Runs <c>occ</c> as the README does (HOME holds the context <c>up</c> made current).</summary>
    public Task<ProcessResult> OccAsync(params string[] args) =>
        ChildProcess.RunAsync(OccPath, args, Env, RepoRoot, TimeSpan.FromSeconds(60));

    /// <summary>Runs <c>occ</c> with <paramref name="stdin"/> piped in (e.g. <c>occ apply -f -</c>).</summary>
    public Task<ProcessResult> OccWithInputAsync(string stdin, params string[] args) =>
        ChildProcess.RunAsync(OccPath, args, Env, RepoRoot, TimeSpan.FromSeconds(60), stdin: stdin);

    /// <summary>Runs a repository script (e.g. samples/build.sh) from the checkout.</summary>
    public static Task<ProcessResult> ScriptAsync(string script, params string[] args) =>
        ChildProcess.RunAsync("bash", [Path.Combine(RepoRoot, script), .. args], null, RepoRoot, TimeSpan.FromMinutes(3));

    /// <summary>
    /// A client that behaves like curl with <c>--cacert</c> on a host where <c>*.localhost</c> is loopback: the URL's host
    /// is the TLS server name, the connection goes to 127.0.0.1, and only the platform CA is trusted.
    /// </summary>
    public HttpClient CreateAppsClient()
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(CaFile);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy },
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            PooledConnectionLifetime = TimeSpan.FromSeconds(5),
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <summary>A service's URL: https://ENV.apps.openchoreo.localhost:PORT/COMPONENT/PATH.</summary>
    public Uri ServiceUrl(string environment, string component, string path = "") =>
        new($"https://{environment}.{AppsDomain}:{AppsHttpsPort}/{component}/{path}");

    /// <summary>A web application's URL: https://COMPONENT-ENV.apps.openchoreo.localhost:PORT/PATH.</summary>
    public Uri WebAppUrl(string component, string environment, string path = "") =>
        new($"https://{component}-{environment}.{AppsDomain}:{AppsHttpsPort}/{path}");

    /// <summary>The READY column of <c>occ status COMPONENT</c> for an environment ("True", "False (Reason)", "-"), its release and URL.</summary>
    public async Task<(string Ready, string Release, string Url)> StatusAsync(string component, string environment)
    {
        var result = await OccAsync("status", component);
        if (result.Code != 0) return ($"occ status failed: {result}", "", "");
        foreach (var line in result.Out.Split('\n'))
        {
            var cols = Regex.Split(line.Trim(), @"\s{2,}");
            if (cols.Length >= 5 && cols[0] == environment) return (cols[3], cols[1], cols[4]);
        }
        return ($"no row for {environment} in:\n{result.Out}", "", "");
    }

    /// <summary>Containers of this instance (any state) carrying every given label, as <c>podman ps</c> reports them.</summary>
    public async Task<JsonArray> ContainersAsync(params string[] labels)
    {
        string[] args = ["ps", "-a", "--format", "json", "--filter", "label=openchoreo.dev/plane=" + RuntimePlane, .. labels.SelectMany(l => new[] { "--filter", "label=" + l })];
        var result = await ChildProcess.RunAsync("podman", args, PodmanEnv(), RepoRoot, TimeSpan.FromSeconds(30));
        if (result.Code != 0) throw new InvalidOperationException($"podman ps failed: {result}");
        return JsonNode.Parse(string.IsNullOrWhiteSpace(result.Out) ? "[]" : result.Out)!.AsArray();
    }

    /// <summary>The networks labelled with this instance's plane.</summary>
    public async Task<string[]> NetworksAsync()
    {
        var result = await ChildProcess.RunAsync("podman", ["network", "ls", "--format", "{{.Name}}", "--filter", "label=openchoreo.dev/plane=" + RuntimePlane],
            PodmanEnv(), RepoRoot, TimeSpan.FromSeconds(30));
        if (result.Code != 0) throw new InvalidOperationException($"podman network ls failed: {result}");
        return result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public Task<ProcessResult> PodmanAsync(params string[] args) => ChildProcess.RunAsync("podman", args, PodmanEnv(), RepoRoot, TimeSpan.FromSeconds(30));

    /// <summary>The same containers.conf the instance's runtime uses (it exists on hosts without systemd).</summary>
    private Dictionary<string, string> PodmanEnv()
    {
        var conf = Path.Combine(DataDir, "containers.conf");
        return File.Exists(conf) ? new() { ["CONTAINERS_CONF"] = conf } : [];
    }

    /// <summary>Polls <paramref name="check"/> until it returns null (done) or the deadline passes; the last answer and up's log explain a timeout.</summary>
    public async Task WaitAsync(string what, TimeSpan timeout, Func<Task<string?>> check, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            var problem = await check();
            if (problem is null) return;
            if (started.Elapsed > timeout)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting until {what}; last: {problem}\n--- openchoreo up (tail)\n{LogTail()}");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>Stops the instance as the README says (<c>./openchoreo down --data-dir</c>) and returns how it ended.</summary>
    public async Task<ProcessResult> DownAsync(CancellationToken ct)
    {
        var result = await ChildProcess.RunAsync("bash", [Path.Combine(RepoRoot, "openchoreo"), "down", "--data-dir", DataDir], Env, RepoRoot, TimeSpan.FromSeconds(90), ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(limit.Token);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            // A killed instance leaves its containers for adoption: remove them, they belong to this test run only.
            if (RuntimePlane.Length > 0)
                foreach (var c in await ContainersAsync())
                    await PodmanAsync("rm", "-f", "-t", "0", (string)c!["Id"]!);
        }
        _process.Dispose();
        if (RuntimePlane.Length > 0)
            foreach (var n in await NetworksAsync()) await PodmanAsync("network", "rm", "-f", n);
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpenChoreo.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no OpenChoreo.slnx above {AppContext.BaseDirectory}");
    }
}
