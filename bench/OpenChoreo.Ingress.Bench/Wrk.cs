using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>One bounded wrk run and what it printed: requests/s, latency percentiles, errors.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors)
{
    public static async Task<WrkResult> RunAsync(string url, string host, int threads, int connections, int seconds)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[$"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", "-H", "Host: " + host, url]) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Bounded: wrk stops itself after -d; the wait guards against a hang.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 30));
        await p.WaitForExitAsync(timeout.Token);
        var text = await stdout;
        if (p.ExitCode != 0) throw new InvalidOperationException($"wrk failed: {await stderr}{text}");
        double Latency(string pct)
        {
            var m = Regex.Match(text, $@"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            if (!m.Success) return double.NaN;
            var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => v / 1000, "s" => v * 1000, _ => v };
        }
        var rps = double.Parse(Regex.Match(text, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(Regex.Match(text, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
        long errors = 0;
        var non2xx = Regex.Match(text, @"Non-2xx or 3xx responses:\s+(\d+)");
        if (non2xx.Success) errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        foreach (Match m in Regex.Matches(text, @"(connect|read|write|timeout) (\d+)"))
            errors += long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Latency("50"), Latency("99"), requests, errors);
    }
}
