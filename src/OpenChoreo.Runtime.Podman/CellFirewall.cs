using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace OpenChoreo.Runtime.Podman;

/// <summary>
/// Drops forwarded traffic between a cell's bridge and any other podman bridge, in an iptables chain of this plane's
/// own, jumped to first from FORWARD. netavark's <c>isolate</c> option alone is not enough on podman 4.3 / netavark
/// 1.4: its FORWARD jump is shared by all isolated networks and goes when any one of them is torn down.
/// </summary>
internal sealed class CellFirewall(string iptablesPath, string planeId)
{
    private const string BridgePattern = "podman+";

    /// <summary>The plane's chain (iptables allows 28 characters).</summary>
    public string Chain { get; } = "OC-CELLS-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(planeId)))[..10];

    /// <summary>Makes the chain hold exactly the rules for <paramref name="bridges"/>; null when done, else why not.</summary>
    public async Task<string?> EnsureAsync(IReadOnlyCollection<string> bridges, CancellationToken ct)
    {
        var (listed, rules) = await RunAsync(ct, "-w", "-S", Chain).ConfigureAwait(false);
        if (listed != 0)
        {
            var (created, error) = await RunAsync(ct, "-w", "-N", Chain).ConfigureAwait(false);
            if (created != 0) return $"cannot create iptables chain {Chain}: {error.Trim()}";
            rules = "";
        }
        if ((await RunAsync(ct, "-w", "-C", "FORWARD", "-j", Chain).ConfigureAwait(false)).Exit != 0)
        {
            var (inserted, error) = await RunAsync(ct, "-w", "-I", "FORWARD", "1", "-j", Chain).ConfigureAwait(false);
            if (inserted != 0) return $"cannot jump to iptables chain {Chain} from FORWARD: {error.Trim()}";
        }
        var present = rules.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(r => r.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        var wanted = bridges.Order(StringComparer.Ordinal).SelectMany(Rules).ToList();
        if (present.SequenceEqual(wanted.Select(r => string.Join(' ', ["-A", Chain, .. r])), StringComparer.Ordinal)) return null;
        // Order matters (a bridge's own traffic returns before its drops): rebuilt whole when the cells change.
        var (flushed, flushError) = await RunAsync(ct, "-w", "-F", Chain).ConfigureAwait(false);
        if (flushed != 0) return $"cannot flush iptables chain {Chain}: {flushError.Trim()}";
        foreach (var rule in wanted)
        {
            var (added, error) = await RunAsync(ct, ["-w", "-A", Chain, .. rule]).ConfigureAwait(false);
            if (added != 0) return $"cannot add iptables rule to {Chain}: {error.Trim()}";
        }
        return null;
    }

    /// <summary>Removes the chain and its jump (the plane holds no cells any more).</summary>
    public async Task RemoveAsync(CancellationToken ct)
    {
        while ((await RunAsync(ct, "-w", "-D", "FORWARD", "-j", Chain).ConfigureAwait(false)).Exit == 0) { }
        await RunAsync(ct, "-w", "-F", Chain).ConfigureAwait(false);
        await RunAsync(ct, "-w", "-X", Chain).ConfigureAwait(false);
    }

    /// <summary>Both directions, in the form <c>iptables -S</c> prints them back (so presence is a string compare).</summary>
    private static IEnumerable<string[]> Rules(string bridge) =>
    [
        ["-i", bridge, "-o", bridge, "-j", "RETURN"],
        ["-i", bridge, "-o", BridgePattern, "-j", "DROP"],
        ["-i", BridgePattern, "-o", bridge, "-j", "DROP"],
    ];

    private async Task<(int Exit, string Output)> RunAsync(CancellationToken ct, params string[] args)
    {
        var info = new ProcessStartInfo(iptablesPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info) ?? throw new InvalidOperationException(); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return (-1, $"{iptablesPath} could not be started: {e.Message}"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return (process.ExitCode, process.ExitCode == 0 ? await stdout.ConfigureAwait(false) : await stderr.ConfigureAwait(false));
        }
    }
}
