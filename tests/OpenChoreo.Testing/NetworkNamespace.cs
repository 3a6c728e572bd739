using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OpenChoreo.Testing;

/// <summary>
/// A Linux network namespace a test makes for itself (<c>ip netns add</c>): a separate "host" on this machine with its
/// own interfaces, addresses and loopback. Processes run in it through <c>ip netns exec</c>; the test itself reaches
/// into it with <see cref="CreateSocket"/> (a socket made inside the namespace) or a <see cref="NamespaceForwarder"/>.
/// Needs root and iproute2. Names carry the test run's process id so leftovers of a crashed run can be told apart from
/// the namespaces of a run still going (<see cref="RemoveLeftovers"/>).
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private bool _disposed;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>Null when namespaces can be made here, else why not (for a skip message).</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux()) return "network namespaces need Linux";
        if (geteuid() != 0) return "network namespaces need root (ip netns add)";
        if (FindIp() is null) return "iproute2's 'ip' is not installed";
        return null;
    }

    /// <summary>Makes the namespace <paramref name="name"/> (removing a leftover of that exact name first) with loopback up.</summary>
    public static NetworkNamespace Create(string name)
    {
        if (name.Length > 40 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"bad namespace name \"{name}\"", nameof(name));
        if (File.Exists(PathOf(name))) Remove(name);
        Ip("netns", "add", name);
        var ns = new NetworkNamespace(name);
        ns.IpIn("link", "set", "lo", "up");
        return ns;
    }

    /// <summary>
    /// Removes namespaces named <c>{prefix}{pid}-…</c> whose process is gone (a crashed run): kills what still runs in
    /// them and deletes them with their <c>/etc/netns</c> files. Namespaces of live runs are left alone.
    /// </summary>
    public static IReadOnlyList<string> RemoveLeftovers(string prefix)
    {
        var removed = new List<string>();
        if (!Directory.Exists("/run/netns")) return removed;
        foreach (var path in Directory.GetFiles("/run/netns", prefix + "*"))
        {
            var name = Path.GetFileName(path);
            var pidText = name[prefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, out var pid) || IsAlive(pid)) continue;
            Remove(name);
            removed.Add(name);
        }
        return removed;
    }

    /// <summary>Runs <c>ip -n NAME …</c> (e.g. <c>link set eth0 down</c>).</summary>
    public void IpIn(params string[] args) => Ip(["-n", Name, .. args]);

    /// <summary>
    /// Writes <c>/etc/netns/NAME/hosts</c>: <c>ip netns exec</c> mounts it over <c>/etc/hosts</c> for the processes it
    /// starts, so names resolve inside this namespace only.
    /// </summary>
    public void SetHosts(IEnumerable<(string Address, string Host)> entries)
    {
        var dir = Path.Combine("/etc/netns", Name);
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "hosts"), ["127.0.0.1 localhost", .. entries.Select(e => $"{e.Address} {e.Host}")]);
    }

    /// <summary>A start info that runs <paramref name="file"/> inside this namespace (<c>ip netns exec</c> execs it, so the pid is the program's).</summary>
    public ProcessStartInfo Exec(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(FindIp()!) { UseShellExecute = false };
        foreach (var a in (string[])["netns", "exec", Name, file, .. args]) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>
    /// A TCP socket created inside this namespace (a socket keeps the namespace it was made in): switches a dedicated
    /// thread into the namespace, creates the socket, switches back. Connect it as usual from any thread.
    /// </summary>
    public Socket CreateSocket(AddressFamily family = AddressFamily.InterNetwork)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                using var target = File.OpenHandle(PathOf(Name));
                if (setns((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new IOException($"setns into {Name} failed (errno {Marshal.GetLastPInvokeError()})");
                try
                {
                    socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
                }
                finally
                {
                    // This thread ends right after; going back keeps it honest if the runtime ever reuses it.
                    if (setns((int)home.DangerousGetHandle(), CloneNewNet) != 0)
                        Environment.FailFast($"could not leave network namespace {Name} (errno {Marshal.GetLastPInvokeError()})");
                }
            }
            catch (Exception e)
            {
                error = e;
            }
        }) { IsBackground = true, Name = "netns-" + Name };
        thread.Start();
        thread.Join();
        return socket ?? throw new IOException($"could not create a socket in {Name}", error);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Remove(Name);
    }

    private static void Remove(string name)
    {
        // Whatever still runs in it would keep the namespace alive after 'ip netns del'.
        if (TryIp(out var pids, "netns", "pids", name))
        {
            foreach (var line in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(line, out var pid)) continue;
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(5000);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }
        }
        TryIp(out _, "netns", "del", name);
        try
        {
            Directory.Delete(Path.Combine("/etc/netns", name), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public static void Ip(params string[] args)
    {
        if (!TryIp(out var output, args)) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {output}");
    }

    private static bool TryIp(out string output, params string[] args)
    {
        var psi = new ProcessStartInfo(FindIp() ?? "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        output = stdout.Result + stderr;
        return p.ExitCode == 0;
    }

    private static string? FindIp() =>
        new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.FirstOrDefault(File.Exists);

    private static string PathOf(string name) => Path.Combine("/run/netns", name);

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc")]
    private static extern uint geteuid();
}
