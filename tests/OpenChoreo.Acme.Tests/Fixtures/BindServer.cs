using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using OpenChoreo.Acme;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>
/// A real bind9 <c>named</c> on a free loopback port, authoritative for <see cref="Zone"/>, accepting dynamic updates
/// signed with a TSIG key made by <c>tsig-keygen -a hmac-sha256</c>. Names listed at start resolve to 127.0.0.1.
/// </summary>
public sealed partial class BindServer : IDisposable
{
    public const string Zone = "example.test";
    public const string KeyName = "acme-key";

    private readonly ExternalProcess _process;

    private BindServer(string directory, int port, string secret, ExternalProcess process)
    {
        Directory = directory;
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        TsigSecret = secret;
        _process = process;
    }

    public string Directory { get; }
    public IPEndPoint EndPoint { get; }

    /// <summary>The base64 HMAC-SHA256 secret of <see cref="KeyName"/>.</summary>
    public string TsigSecret { get; }

    public string Output => _process.Output;

    public Rfc2136Options Rfc2136Options(TimeProvider? time = null) => new()
    {
        Server = EndPoint,
        Zone = Zone,
        TsigKeyName = KeyName,
        TsigSecret = TsigSecret,
        PropagationTimeout = TimeSpan.FromSeconds(10),
        PropagationPollInterval = TimeSpan.FromMilliseconds(20),
        TimeProvider = time ?? TimeProvider.System,
    };

    public static async Task<BindServer> StartAsync(IEnumerable<string> hostsAtLoopback)
    {
        var dir = Path.Combine(Path.GetTempPath(), "oc-bind-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(dir);
        var keyConf = await RunAsync("tsig-keygen", "-a", "hmac-sha256", KeyName);
        var secret = SecretRegex().Match(keyConf) is { Success: true } m ? m.Groups[1].Value
            : throw new InvalidOperationException("tsig-keygen printed no secret: " + keyConf);
        await File.WriteAllTextAsync(Path.Combine(dir, "acme-key.conf"), keyConf);

        var hosts = string.Join("\n", hostsAtLoopback.Select(h => $"{h.TrimEnd('.')}. IN A 127.0.0.1"));
        await File.WriteAllTextAsync(Path.Combine(dir, Zone + ".zone"), $"""
            $TTL 60
            @ IN SOA ns.{Zone}. hostmaster.{Zone}. 1 60 60 600 60
            @ IN NS ns.{Zone}.
            ns IN A 127.0.0.1
            {hosts}

            """);
        var port = LoopbackPorts.Free();
        var conf = Path.Combine(dir, "named.conf");
        await File.WriteAllTextAsync(conf, $$"""
            options {
              directory "{{dir}}";
              pid-file "{{dir}}/named.pid";
              session-keyfile "{{dir}}/session.key";
              managed-keys-directory "{{dir}}";
              listen-on port {{port}} { 127.0.0.1; };
              listen-on-v6 { none; };
              recursion no;
              dnssec-validation no;
              notify no;
              allow-transfer { none; };
            };
            controls { };
            include "{{dir}}/acme-key.conf";
            zone "{{Zone}}" {
              type primary;
              file "{{dir}}/{{Zone}}.zone";
              allow-update { key "{{KeyName}}"; };
            };

            """);
        // -g: foreground, log to stderr; -4: IPv4 only.
        var process = new ExternalProcess("named", ["-g", "-4", "-c", conf]);
        var server = new BindServer(dir, port, secret, process);
        try
        {
            var probe = new DnsTxtProbe(server.EndPoint, TimeSpan.FromMilliseconds(500));
            var started = Stopwatch.GetTimestamp();
            while (!await server.AnswersAsync())
            {
                if (process.HasExited) throw new InvalidOperationException("named exited:\n" + process.Output);
                if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(20)) throw new TimeoutException("named did not answer within 20 s:\n" + process.Output);
                await Task.Delay(20);
            }
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private async Task<bool> AnswersAsync()
    {
        using var client = new ARSoft.Tools.Net.Dns.DnsClient([EndPoint.Address],
            [new ARSoft.Tools.Net.Dns.UdpClientTransport(EndPoint.Port)], true, 300);
        var answer = await client.ResolveAsync(ARSoft.Tools.Net.DomainName.Parse(Zone), ARSoft.Tools.Net.Dns.RecordType.Soa);
        return answer is { ReturnCode: ARSoft.Tools.Net.Dns.ReturnCode.NoError, AnswerRecords.Count: > 0 };
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(ExternalProcess.Resolve(file)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {await p.StandardError.ReadToEndAsync()}");
        return output;
    }

    [GeneratedRegex("secret \"([A-Za-z0-9+/=]+)\"")]
    private static partial Regex SecretRegex();

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
