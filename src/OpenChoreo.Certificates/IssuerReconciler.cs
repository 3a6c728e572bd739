using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Acme;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates;

/// <summary>
/// Issuer controller: sets Ready on the issuer — acme: the account key Secret exists (made if missing) and the account
/// is registered with the server (<c>status.acme.uri</c>); ca: the CA key pair Secret (or the platform CA) is usable;
/// selfSigned: always. Certificates do not wait on this condition; it tells the operator early what will fail.
/// </summary>
public abstract partial class IssuerReconcilerBase : IReconciler
{
    private readonly IResourceStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CertificatesOptions _options;
    private readonly AcmeIssuance _acme;
    private readonly IServiceProvider _services;
    private readonly ConcurrentDictionary<ResourceKey, long> _failures = new();

    private protected IssuerReconcilerBase(IResourceStore store, TimeProvider time, ILoggerFactory loggers, IOptions<CertificatesOptions> options,
        Http01ChallengeStore http01, IServiceProvider services)
    {
        _store = store;
        _time = time;
        _logger = loggers.CreateLogger(GetType());
        _options = options.Value;
        _acme = new AcmeIssuance(store, http01, _options, time, loggers, ProviderHttp.Shared);
        _services = services;
    }

    public abstract string Name { get; }

    public abstract string Kind { get; }

    private string SecretNamespace(ResourceObject issuer) => Kind == "ClusterIssuer" ? _options.ClusterResourceNamespace : issuer.Namespace;

    public IReadOnlyList<SecondaryWatch> Watches =>
    [
        new("Secret", async (sec, s, ct) => (await s.ListAsync(new ListOptions(Kind, Kind == "ClusterIssuer" ? null : sec.Namespace)
        {
            Filter = i => (Kind != "ClusterIssuer" || sec.Namespace == _options.ClusterResourceNamespace)
                && (IssuerConfig.Str(i.Spec?["ca"], "secretName") == sec.Name || IssuerConfig.Str(i.Spec?["acme"]?["privateKeySecretRef"], "name") == sec.Name),
        }, ct)).Items.Select(ResourceKey.Of)),
    ];

    public async Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct)
    {
        var issuer = await _store.GetAsync(key, ct);
        if (issuer is null || issuer.DeletionTimestamp is not null)
        {
            _failures.TryRemove(key, out _);
            return ReconcileResult.Done;
        }
        try
        {
            var (ready, fields, retry) = await CheckAsync(issuer, ct);
            await CertificateStatus.SetAsync(_store, issuer, _time.GetUtcNow(), ready, fields, ct);
            if (!retry)
            {
                _failures.TryRemove(key, out _);
                return ReconcileResult.Done;
            }
            var n = _failures.AddOrUpdate(key, 1, (_, v) => v + 1);
            LogNotReady(_logger, key.ToString(), ready.Reason, n);
            return ReconcileResult.After(_options.Backoff(n));
        }
        catch (ApiException e) when (e.Code == 409)
        {
            return ReconcileResult.After(TimeSpan.FromMilliseconds(50));
        }
    }

    private async Task<(Condition Ready, Dictionary<string, JsonNode?>? Fields, bool Retry)> CheckAsync(ResourceObject issuer, CancellationToken ct)
    {
        var config = IssuerConfig.Parse(issuer.Spec, out var error);
        var secretNs = SecretNamespace(issuer);
        switch (config)
        {
            case null:
                return (NotReady(CertificateReasons.InvalidSpec, error!), null, false);
            case SelfSignedIssuerConfig:
                return (new Condition("Ready", Condition.True, CertificateReasons.SelfSigned, "Issues self-signed certificates"), null, false);
            case CaIssuerConfig ca when ca.SecretName == CaIssuerConfig.PlatformCaName && _services.GetService(typeof(PlatformCa)) is PlatformCa:
                return (new Condition("Ready", Condition.True, CertificateReasons.KeyPairReady, "Signs with the platform CA"), null, false);
            case CaIssuerConfig ca:
                var secret = await TlsSecrets.GetAsync(_store, secretNs, ca.SecretName, ct);
                if (secret is null)
                    return (NotReady(CertificateReasons.SecretNotFound, $"Secret \"{ca.SecretName}\" (the CA key pair) not found in namespace \"{secretNs}\""), null, false);
                try
                {
                    using var authority = CertificateAuthority.LoadFromPem(TlsSecrets.Get(secret, TlsSecrets.Crt) ?? "", TlsSecrets.Get(secret, TlsSecrets.Key) ?? "", _time);
                    return (new Condition("Ready", Condition.True, CertificateReasons.KeyPairReady, $"Signs with the CA \"{authority.Certificate.Subject}\""), null, false);
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidOperationException)
                {
                    return (NotReady(CertificateReasons.InvalidKeyPair, $"Secret \"{ca.SecretName}\" does not hold a usable CA key pair (tls.crt, tls.key): {e.Message}"), null, false);
                }
            case AcmeIssuerConfig acme:
                try
                {
                    var key = await AcmeAccounts.LoadOrCreateAsync(_store, secretNs, acme.AccountKeySecret, ct);
                    using var client = new AcmeClient(_acme.ClientOptions(acme), key);
                    var account = await client.FindAccountAsync(ct)
                        ?? await client.CreateAccountAsync(acme.Email is { } email ? ["mailto:" + email] : [], true, ct);
                    return (new Condition("Ready", Condition.True, CertificateReasons.AccountRegistered, $"The ACME account is registered with {acme.Server}"),
                        new() { ["acme"] = new JsonObject { ["uri"] = account.Location.AbsoluteUri } }, false);
                }
                catch (IssuanceException e)
                {
                    return (NotReady(e.Reason, e.Message), null, e.Retry);
                }
                catch (AcmeServerUnavailableException e)
                {
                    return (NotReady(CertificateReasons.AcmeServerUnavailable, e.Message), null, true);
                }
                catch (AcmeProblemException e)
                {
                    return (NotReady(CertificateReasons.AcmeError, $"{e.Type}: {e.Message}"), null, true);
                }
                catch (AcmeException e)
                {
                    return (NotReady(CertificateReasons.AcmeError, e.Message), null, true);
                }
            default:
                return (NotReady(CertificateReasons.InvalidSpec, "unknown issuer type"), null, false);
        }
    }

    private static Condition NotReady(string reason, string message) => new("Ready", Condition.False, reason, message);

    [LoggerMessage(EventId = 8010, Level = LogLevel.Warning, Message = "{Issuer}: not ready ({Reason}), attempt {Attempts}")]
    private static partial void LogNotReady(ILogger logger, string issuer, string reason, long attempts);
}

/// <summary>The namespaced Issuer.</summary>
public sealed class IssuerReconciler(IResourceStore store, TimeProvider time, ILoggerFactory loggers, IOptions<CertificatesOptions> options,
    Http01ChallengeStore http01, IServiceProvider services) : IssuerReconcilerBase(store, time, loggers, options, http01, services)
{
    public override string Name => "issuer";

    public override string Kind => "Issuer";
}

/// <summary>The cluster-scoped ClusterIssuer (its Secrets live in <see cref="CertificatesOptions.ClusterResourceNamespace"/>).</summary>
public sealed class ClusterIssuerReconciler(IResourceStore store, TimeProvider time, ILoggerFactory loggers, IOptions<CertificatesOptions> options,
    Http01ChallengeStore http01, IServiceProvider services) : IssuerReconcilerBase(store, time, loggers, options, http01, services)
{
    public override string Name => "clusterissuer";

    public override string Kind => "ClusterIssuer";
}
