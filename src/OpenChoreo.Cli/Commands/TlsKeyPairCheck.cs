using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Cli.Commands;

/// <summary>
/// Checks a bring-your-own TLS key pair before it is stored: the key matches the leaf, the leaf is inside its validity
/// window, and (optionally) it covers every required host name. Failures are <see cref="CliException"/>s.
/// </summary>
internal static class TlsKeyPairCheck
{
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    /// <summary>Returns the leaf (first certificate) after the checks; warnings are returned, not thrown.</summary>
    public static (X509Certificate2 Leaf, IReadOnlyList<string> Warnings) Check(string certFile, string certPem, string keyFile, string keyPem,
        IReadOnlyList<string> hosts, DateTimeOffset now)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certPem);
        }
        catch (CryptographicException)
        {
            throw new CliException($"{certFile} holds no readable PEM certificate");
        }
        if (chain.Count == 0) throw new CliException($"{certFile} holds no PEM certificate");
        var leaf = chain[0];
        try
        {
            using var withKey = X509Certificate2.CreateFromPem(certPem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException && !LooksLikeKey(keyPem))
        {
            throw new CliException($"{keyFile} holds no readable PEM private key");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // ArgumentException: a key of the right type but another pair; CryptographicException: another type.
            throw new CliException($"the private key in {keyFile} does not match the certificate in {certFile}");
        }
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        if (now >= notAfter) throw new CliException($"the certificate in {certFile} expired on {Format(notAfter)}");
        if (now < notBefore) throw new CliException($"the certificate in {certFile} is not valid before {Format(notBefore)}");
        var sans = DnsNames(leaf);
        var missing = hosts.Where(h => !Covers(sans, h)).ToList();
        if (missing.Count > 0)
            throw new CliException($"the certificate in {certFile} does not cover {string.Join(", ", missing)} (it covers: {(sans.Count == 0 ? "no DNS names" : string.Join(", ", sans))})");
        var warnings = new List<string>();
        if (notAfter - now < ExpiryWarning)
            warnings.Add($"the certificate in {certFile} expires in {Math.Max(0, (int)(notAfter - now).TotalDays)} days ({Format(notAfter)}); renew it soon");
        return (leaf, warnings);
    }

    public static IReadOnlyList<string> DnsNames(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(x => x.EnumerateDnsNames()).ToList();

    /// <summary>A SAN covers a host when equal (case-insensitive), or when it is <c>*.rest</c> and the host is one label
    /// followed by <c>.rest</c> (RFC 6125: the wildcard stands for exactly one whole left-most label). A wildcard host is
    /// covered only by the same wildcard.</summary>
    public static bool Covers(IReadOnlyList<string> sans, string host)
    {
        host = host.Trim().TrimEnd('.').ToLowerInvariant();
        foreach (var san in sans.Select(s => s.ToLowerInvariant()))
        {
            if (san == host) return true;
            if (!san.StartsWith("*.", StringComparison.Ordinal) || host.StartsWith("*.", StringComparison.Ordinal)) continue;
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && host[(dot + 1)..] == san[2..]) return true;
        }
        return false;
    }

    private static bool LooksLikeKey(string pem) => pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
