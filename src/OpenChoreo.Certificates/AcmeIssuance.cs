using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;
using OpenChoreo.Acme;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates;

/// <summary>Turns an acme issuer spec into a <see cref="CertificateIssuer"/> and a solver, and runs one issuance.</summary>
internal sealed class AcmeIssuance(IResourceStore store, Http01ChallengeStore http01, CertificatesOptions options, TimeProvider time,
    ILoggerFactory loggerFactory, HttpClient providerHttp)
{
    public AcmeClientOptions ClientOptions(AcmeIssuerConfig acme) => new()
    {
        DirectoryUri = acme.Server,
        TrustBundle = acme.CaBundlePem is { } pem ? TrustBundle.FromPem(pem) : null,
        PollInterval = options.AcmePollInterval,
        MaxPollInterval = options.AcmeMaxPollInterval,
        PollTimeout = options.AcmePollTimeout,
        MaxTransportRetries = options.AcmeTransportRetries,
        RequestTimeout = options.AcmeRequestTimeout,
        TimeProvider = time,
    };

    public async Task<IssuedKeyPair> IssueAsync(AcmeIssuerConfig acme, string secretNs, IReadOnlyList<string> dnsNames, CancellationToken ct)
    {
        var picked = acme.Pick(dnsNames);
        if (picked is Rfc2136SolverConfig r) picked = await WithZoneAsync(r, dnsNames, ct);
        var solver = await SolverAsync(picked, secretNs, ct);
        // Refuses a wildcard over HTTP-01 before any request (and before an account key is made).
        CertificateIssuer.EnsureSolvable(dnsNames, solver);
        var key = await AcmeAccounts.LoadOrCreateAsync(store, secretNs, acme.AccountKeySecret, ct);
        var issuer = new CertificateIssuer(new CertificateIssuerOptions
        {
            Acme = ClientOptions(acme),
            AccountKey = key,
            Contacts = acme.Email is { } email ? ["mailto:" + email] : [],
            AgreeToTermsOfService = true,
            LoggerFactory = loggerFactory,
        });
        var cert = await issuer.IssueAsync(new CertificateIssueRequest { DnsNames = dnsNames, Solver = solver }, cancellationToken: ct);
        return new IssuedKeyPair(cert.ChainPem, cert.PrivateKeyPem, null);
    }

    /// <summary>Checks names against the solver without touching the network (wildcard over HTTP-01 is refused).</summary>
    public static void EnsureSolvable(AcmeIssuerConfig acme, IReadOnlyList<string> dnsNames)
    {
        if (acme.Pick(dnsNames) is Http01SolverConfig)
            CertificateIssuer.EnsureSolvable(dnsNames, new Http01ChallengeSolver(new Http01ChallengeStore()));
    }

    private async Task<IChallengeSolver> SolverAsync(SolverConfig config, string secretNs, CancellationToken ct)
    {
        switch (config)
        {
            case Http01SolverConfig:
                return new Http01ChallengeSolver(http01);
            case Rfc2136SolverConfig r:
                var server = ParseNameserver(r.Nameserver);
                var secret = r.TsigSecret is { } tsig ? (await SecretValueAsync(secretNs, tsig, ct)).Trim() : null;
                return new Rfc2136ChallengeSolver(new Rfc2136Options
                {
                    Server = server,
                    Zone = r.Zone ?? "",
                    TsigKeyName = r.TsigKeyName,
                    TsigSecret = secret,
                    PropagationTimeout = options.DnsPropagationTimeout,
                    PropagationPollInterval = TimeSpan.FromMilliseconds(100),
                    TimeProvider = time,
                }, loggerFactory.CreateLogger<Rfc2136ChallengeSolver>());
            case CloudflareSolverConfig c:
                var token = (await SecretValueAsync(secretNs, c.ApiToken, ct)).Trim();
                var provider = new CloudflareDnsProvider(providerHttp, new CloudflareOptions
                {
                    ApiToken = token,
                    ApiBase = c.ApiBase is { } b ? new Uri(b) : CloudflareOptions.DefaultApiBase,
                });
                return new DnsProviderChallengeSolver(provider, new DnsProviderSolverOptions { TimeProvider = time, PropagationTimeout = options.DnsPropagationTimeout },
                    loggerFactory.CreateLogger<DnsProviderChallengeSolver>());
            default:
                throw new InvalidOperationException("unknown solver");
        }
    }

    /// <summary>RFC 2136 needs the zone: when the issuer names none, the nameserver's SOA answer for the name says it.</summary>
    public static async Task<Rfc2136SolverConfig> WithZoneAsync(Rfc2136SolverConfig r, IReadOnlyList<string> dnsNames, CancellationToken ct)
    {
        if (r.Zone is not null) return r;
        var server = ParseNameserver(r.Nameserver);
        var name = dnsNames[0].StartsWith("*.", StringComparison.Ordinal) ? dnsNames[0][2..] : dnsNames[0];
        using var client = new DnsClient([server.Address], [new UdpClientTransport(server.Port), new TcpClientTransport(server.Port)], true, 3000);
        var labels = name.Split('.');
        for (var i = 0; i < labels.Length - 1; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            var answer = await client.ResolveAsync(DomainName.Parse(candidate), RecordType.Soa, RecordClass.INet,
                new DnsQueryOptions { IsRecursionDesired = false }, ct);
            if (answer is { ReturnCode: ReturnCode.NoError } && answer.AnswerRecords.OfType<SoaRecord>().Any())
                return r with { Zone = candidate };
        }
        throw new IssuanceException(CertificateReasons.ChallengeFailed,
            $"The DNS server {r.Nameserver} is authoritative for no zone containing '{name}' (no SOA answer); set dns01.rfc2136.zone");
    }

    internal static IPEndPoint ParseNameserver(string text)
    {
        if (IPEndPoint.TryParse(text, out var ep))
        {
            if (ep.Port == 0) ep.Port = 53;
            return ep;
        }
        var host = text.Split(':')[0];
        var port = text.Contains(':', StringComparison.Ordinal) && int.TryParse(text.Split(':')[1], out var p) ? p : 53;
        var address = Dns.GetHostAddresses(host).FirstOrDefault()
            ?? throw new IssuanceException(CertificateReasons.IssuerNotReady, $"The RFC 2136 nameserver '{text}' does not resolve", retry: false);
        return new IPEndPoint(address, port);
    }

    private async Task<string> SecretValueAsync(string ns, SecretKeyRef r, CancellationToken ct) =>
        await TlsSecrets.GetValueAsync(store, ns, r.Name, r.Key, ct)
        ?? throw new IssuanceException(CertificateReasons.SecretNotFound, $"Secret \"{r.Name}\" with key \"{r.Key}\" not found in namespace \"{ns}\"", retry: false);
}
