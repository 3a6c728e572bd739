using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// <c>occ secret tls NAME --cert FILE --key FILE [--ca FILE] [-n ORG] [--hosts h1,h2]</c>: stores a bring-your-own
/// certificate as a kubernetes.io/tls Secret after checking key match, expiry and the names it must cover. Nothing is
/// written when a check fails.
/// </summary>
public static class SecretCommand
{
    public static Command Create(GlobalOptions globals, CliIO io)
    {
        var name = new Argument<string>("name") { Description = "Name of the Secret" };
        var cert = new Option<string>("--cert") { Description = "PEM certificate chain, leaf first", Required = true };
        var key = new Option<string>("--key") { Description = "PEM private key of the leaf", Required = true };
        var ca = new Option<string?>("--ca") { Description = "PEM CA certificate(s) clients should trust (stored as ca.crt)" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Organization (namespace) of the Secret" };
        var hosts = new Option<string?>("--hosts") { Description = "Comma-separated host names the certificate must cover" };
        var tls = new Command("tls", "Create or update a TLS Secret from PEM files (checked before anything is stored)") { name, cert, key, ca, ns, hosts };
        tls.SetAction((p, ct) => CommandRunner.RunAsync(io, async () =>
        {
            var secretName = p.GetValue(name)!;
            if (!Names.IsDns1123Subdomain(secretName)) throw new CliException($"\"{secretName}\" is not a valid Secret name (lowercase DNS-1123)");
            string certFile = p.GetValue(cert)!, keyFile = p.GetValue(key)!;
            var certPem = await ReadAsync(certFile, ct);
            var keyPem = await ReadAsync(keyFile, ct);
            var hostList = (p.GetValue(hosts) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (leaf, warnings) = TlsKeyPairCheck.Check(certFile, certPem, keyFile, keyPem, hostList, DateTimeOffset.UtcNow);
            leaf.Dispose();
            string? caPem = null;
            if (p.GetValue(ca) is { } caFile)
            {
                caPem = await ReadAsync(caFile, ct);
                var bundle = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                try
                {
                    bundle.ImportFromPem(caPem);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    bundle.Clear();
                }
                if (bundle.Count == 0) throw new CliException($"{caFile} holds no PEM certificate");
            }
            foreach (var w in warnings) await io.Err.WriteLineAsync("warning: " + w);

            var kind = KindRegistry.Default.Resolve("secret")!;
            using var client = globals.Connect(p);
            var data = new JsonObject
            {
                ["tls.crt"] = B64(certPem),
                ["tls.key"] = B64(keyPem),
            };
            if (caPem is not null) data["ca.crt"] = B64(caPem);
            var obj = new ResourceObject(new JsonObject
            {
                ["apiVersion"] = KindRegistry.GroupVersion,
                ["kind"] = kind.Kind,
                ["metadata"] = new JsonObject { ["name"] = secretName, ["namespace"] = p.GetValue(ns) ?? client.Context.Namespace },
                ["type"] = "kubernetes.io/tls",
                ["data"] = data,
            });
            var (_, outcome) = await client.ApplyAsync(kind, obj, ct);
            await io.Out.WriteLineAsync($"{kind.Singular}.{kind.Group}/{secretName} {outcome}");
            return 0;
        }));
        return new Command("secret", "Create secrets from files") { tls };
    }

    private static async Task<string> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: no such file");
        var info = new FileInfo(path);
        if (info.Length > 1024 * 1024) throw new CliException($"{path} is larger than 1 MiB: not a PEM certificate or key");
        return await File.ReadAllTextAsync(path, ct);
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
