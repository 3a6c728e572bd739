using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
/// Certificate controller: issues through the referenced Issuer/ClusterIssuer (acme, ca, selfSigned), writes the
/// kubernetes.io/tls Secret <c>spec.secretName</c> (owned by the Certificate, so it goes with it), renews at the
/// schedule (2/3 of the lifetime, or <c>renewBefore</c>) and re-issues when dnsNames or issuerRef change or the Secret is
/// lost. Failures set Ready False with a reason and are retried with exponential backoff kept in the status
/// (<c>failedAttempts</c>, <c>lastFailureTime</c>), so status writes and restarts do not shorten the wait.
/// </summary>
public sealed partial class CertificateReconciler : IReconciler, IDisposable
{
    private readonly IResourceStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CertificatesOptions _options;
    private readonly AcmeIssuance _acme;
    private readonly Func<PlatformCa?> _platformCa;
    // The issuer generation a failure happened under: a changed issuer ends the backoff early.
    private readonly ConcurrentDictionary<ResourceKey, string> _failedUnder = new();
    // ACME issuances in flight: the reconcile starts one and requeues until it completes, so a worker is never held
    // while the ACME server validates. Keyed by the Certificate; a changed spec or issuer abandons the old attempt.
    private readonly ConcurrentDictionary<ResourceKey, PendingIssuance> _pending = new();
    private readonly CancellationTokenSource _stopping = new();

    private sealed record PendingIssuance(string Fingerprint, Task<IssuedKeyPair> Task, CancellationTokenSource Cancel);

    public CertificateReconciler(IResourceStore store, TimeProvider time, ILoggerFactory loggers, IOptions<CertificatesOptions> options,
        Http01ChallengeStore http01, IServiceProvider services)
    {
        _store = store;
        _time = time;
        _logger = loggers.CreateLogger<CertificateReconciler>();
        _options = options.Value;
        _acme = new AcmeIssuance(store, http01, _options, time, loggers, ProviderHttp.Shared);
        _platformCa = () => services.GetService(typeof(PlatformCa)) as PlatformCa;
    }

    public string Name => "certificate";

    public string Kind => "Certificate";

    public IReadOnlyList<SecondaryWatch> Watches =>
    [
        new("Issuer", (i, s, ct) => ReferencingAsync(s, "Issuer", i.Namespace, i.Name, ct)),
        new("ClusterIssuer", (i, s, ct) => ReferencingAsync(s, "ClusterIssuer", null, i.Name, ct)),
        // A deleted or edited Secret is re-issued; a Secret the Certificate waits for (CA, credentials) wakes it too.
        new("Secret", async (sec, s, ct) =>
        {
            var owned = sec.OwnerReferences.Where(o => o.Kind == Kind).Select(o => new ResourceKey(Kind, sec.Namespace, o.Name)).ToList();
            if (owned.Count > 0) return owned;
            var waiting = await s.ListAsync(new ListOptions(Kind, sec.Namespace)
            {
                Filter = c => Conditions.Get(c, "Ready") is { Reason: CertificateReasons.SecretNotFound } || IssuerConfig.Str(c.Spec, "secretName") == sec.Name,
            }, ct);
            return waiting.Items.Select(ResourceKey.Of);
        }),
    ];

    private static async Task<IEnumerable<ResourceKey>> ReferencingAsync(IResourceStore s, string kind, string? ns, string name, CancellationToken ct) =>
        (await s.ListAsync(new ListOptions("Certificate", ns)
        {
            Filter = c => IssuerConfig.Str(c.Spec?["issuerRef"], "name") == name && (IssuerConfig.Str(c.Spec?["issuerRef"], "kind") ?? "Issuer") == kind,
        }, ct)).Items.Select(ResourceKey.Of);

    public async Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct)
    {
        var cert = await _store.GetAsync(key, ct);
        if (cert is null || cert.DeletionTimestamp is not null)
        {
            _failedUnder.TryRemove(key, out _);
            AbandonPending(key);
            return ReconcileResult.Done;
        }
        try
        {
            return await ReconcileLiveAsync(key, cert, ct);
        }
        catch (ApiException e) when (e.Code == 409)
        {
            return ReconcileResult.After(TimeSpan.FromMilliseconds(50));
        }
    }

    private async Task<ReconcileResult> ReconcileLiveAsync(ResourceKey key, ResourceObject cert, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var spec = CertificateSpec.Parse(cert.Spec, _options.DefaultDuration, out var specError);
        if (spec is null) return await NotReadyAsync(cert, CertificateReasons.InvalidSpec, specError!, ct);

        var issuerKey = spec.IssuerKind == "ClusterIssuer" ? new ResourceKey("ClusterIssuer", "", spec.IssuerName) : new ResourceKey("Issuer", cert.Namespace, spec.IssuerName);
        var issuer = await _store.GetAsync(issuerKey, ct);
        if (issuer is null || issuer.DeletionTimestamp is not null)
            return await NotReadyAsync(cert, CertificateReasons.IssuerNotFound, spec.IssuerKind == "ClusterIssuer"
                ? $"ClusterIssuer \"{spec.IssuerName}\" not found" : $"Issuer \"{spec.IssuerName}\" not found in namespace \"{cert.Namespace}\"", ct);
        var config = IssuerConfig.Parse(issuer.Spec, out var issuerError);
        if (config is null) return await NotReadyAsync(cert, CertificateReasons.IssuerNotReady, $"{spec.IssuerKind} \"{spec.IssuerName}\" cannot issue: {issuerError}", ct);
        if (config is AcmeIssuerConfig acmeConfig)
        {
            try
            {
                AcmeIssuance.EnsureSolvable(acmeConfig, spec.DnsNames);
            }
            catch (UnsupportedChallengeException e)
            {
                // Nothing to retry until the spec or the issuer changes (both wake this Certificate).
                return await NotReadyAsync(cert, CertificateReasons.Refused, e.Message, ct);
            }
        }

        var secret = await TlsSecrets.GetAsync(_store, cert.Namespace, spec.SecretName, ct);
        using var current = CurrentCertificate(secret, spec);
        if (current is not null)
        {
            var renewal = spec.Renewal.RenewalTime(Utc(current.NotBefore), Utc(current.NotAfter));
            if (now < renewal)
            {
                _failedUnder.TryRemove(key, out _);
                AbandonPending(key);
                await SetStatusAsync(cert, new Condition("Ready", Condition.True, CertificateReasons.Issued,
                    IssuedMessage(spec, current)), current, renewal, failures: 0, lastFailure: null, ct);
                var wait = renewal - now;
                return ReconcileResult.After(wait < _options.MaxRequeue ? wait + TimeSpan.FromMilliseconds(50) : _options.MaxRequeue);
            }
        }

        // Backoff after failures, unless the spec or the issuer changed since.
        var failures = CertificateStatus.Long(cert, "failedAttempts");
        var issuerVersion = issuer.Generation.ToString(CultureInfo.InvariantCulture);
        if (failures > 0 && CertificateStatus.ObservedGeneration(cert) == cert.Generation && CertificateStatus.Time(cert, "lastFailureTime") is { } lastFailure
            && (!_failedUnder.TryGetValue(key, out var under) || under == issuerVersion))
        {
            var due = lastFailure + _options.Backoff(failures);
            if (now < due) return ReconcileResult.After(due - now);
        }

        var renewing = secret is not null && current is not null;
        var reason = renewing ? CertificateReasons.Renewing : CertificateReasons.Issuing;
        // "Issuing" marks the start of an issuance; while retrying, the last failure stays visible instead (and a
        // failure that repeats writes nothing, so the status write does not wake the Certificate again).
        var previous = Conditions.Get(cert, "Ready");
        if (previous is null || previous.Reason == CertificateReasons.Issued || previous.ObservedGeneration != cert.Generation)
            cert = await CertificateStatus.SetAsync(_store, cert, now, new Condition("Ready", Condition.False, reason,
                renewing ? "Renewing the certificate: it reached its renewal time" : $"Issuing a certificate for {string.Join(", ", spec.DnsNames)} from {spec.IssuerKind} \"{spec.IssuerName}\""), null, ct);
        if (!_pending.ContainsKey(key)) LogIssuing(_logger, key.ToString(), spec.IssuerId, reason);

        IssuedKeyPair issued;
        try
        {
            var secretNs = spec.IssuerKind == "ClusterIssuer" ? _options.ClusterResourceNamespace : cert.Namespace;
            if (config is AcmeIssuerConfig)
            {
                var fingerprint = string.Join('/', cert.Uid, cert.Generation, issuer.Uid, issuer.Generation);
                var pending = _pending.TryGetValue(key, out var running) && running.Fingerprint == fingerprint
                    ? running
                    : StartPending(key, fingerprint, config, secretNs, spec);
                if (!pending.Task.IsCompleted) return ReconcileResult.After(_options.AcmePollInterval);
                _pending.TryRemove(KeyValuePair.Create(key, pending));
                pending.Cancel.Dispose();
                issued = await pending.Task;
            }
            else
            {
                issued = await IssueAsync(config, secretNs, spec, ct);
            }
        }
        catch (Exception e) when (Classify(e) is { } failure)
        {
            if (!failure.Retry)
            {
                // Waits for a change (Secret created, spec or issuer edited), which wakes this Certificate; no timer.
                LogFailed(_logger, key.ToString(), failure.Reason, 0, e);
                return await NotReadyAsync(await _store.GetAsync(key, ct) ?? cert, failure.Reason, failure.Message, ct);
            }
            _failedUnder[key] = issuerVersion;
            var attempts = CertificateStatus.Long(cert, "failedAttempts") + 1;
            LogFailed(_logger, key.ToString(), failure.Reason, attempts, e);
            var fresh = await _store.GetAsync(key, ct) ?? cert;
            await SetStatusAsync(fresh, new Condition("Ready", Condition.False, failure.Reason, failure.Message), null, null, attempts, _time.GetUtcNow(), ct);
            var wait = _options.Backoff(attempts);
            // A rate-limited server said when to come back: sooner only extends the block.
            if (e is AcmeRateLimitedException { RetryAfter: { } retryAfter } && retryAfter - _time.GetUtcNow() > wait) wait = retryAfter - _time.GetUtcNow();
            return ReconcileResult.After(wait);
        }

        var written = await TlsSecrets.WriteAsync(_store, cert.Namespace, spec.SecretName, TlsSecrets.TlsType, TlsSecrets.Data(
            issued.CaPem is { } ca
                ? [new(TlsSecrets.Crt, issued.ChainPem), new(TlsSecrets.Key, issued.PrivateKeyPem), new(TlsSecrets.Ca, ca)]
                : [new(TlsSecrets.Crt, issued.ChainPem), new(TlsSecrets.Key, issued.PrivateKeyPem)]),
            OwnerReference.ControlledBy(cert), new Dictionary<string, string> { [TlsSecrets.IssuerAnnotation] = spec.IssuerId }, ct);
        _failedUnder.TryRemove(key, out _);
        using var leaf = Pem.ReadCertificate(issued.ChainPem);
        var renewAt = spec.Renewal.RenewalTime(Utc(leaf.NotBefore), Utc(leaf.NotAfter));
        LogIssued(_logger, key.ToString(), written.Name, Utc(leaf.NotAfter));
        var latest = await _store.GetAsync(key, ct) ?? cert;
        await SetStatusAsync(latest, new Condition("Ready", Condition.True, CertificateReasons.Issued,
            IssuedMessage(spec, leaf)), leaf, renewAt, 0, null, ct);
        var until = renewAt - _time.GetUtcNow();
        return ReconcileResult.After(until < _options.MaxRequeue ? (until > TimeSpan.Zero ? until : TimeSpan.Zero) + TimeSpan.FromMilliseconds(50) : _options.MaxRequeue);
    }

    /// <summary>Starts an ACME issuance that outlives this reconcile (cancelled when abandoned or at shutdown).</summary>
    private PendingIssuance StartPending(ResourceKey key, string fingerprint, IssuerConfig config, string secretNs, CertificateSpec spec)
    {
        AbandonPending(key);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var pending = new PendingIssuance(fingerprint, Task.Run(() => IssueAsync(config, secretNs, spec, cancel.Token)), cancel);
        _pending[key] = pending;
        return pending;
    }

    private void AbandonPending(ResourceKey key)
    {
        if (!_pending.TryRemove(key, out var old)) return;
        old.Cancel.Cancel();
        // Observe the outcome so an abandoned attempt's failure is not reported as unobserved.
        _ = old.Task.ContinueWith(t => { _ = t.Exception; old.Cancel.Dispose(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var key in _pending.Keys) AbandonPending(key);
        _stopping.Dispose();
    }

    private async Task<IssuedKeyPair> IssueAsync(IssuerConfig config, string secretNs, CertificateSpec spec, CancellationToken ct)
    {
        // Local issuers start the validity at this second; no backdating, so short test lifetimes renew on time.
        var now = _time.GetUtcNow();
        var notBefore = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        switch (config)
        {
            case SelfSignedIssuerConfig:
                return LocalIssuers.SelfSigned(spec.DnsNames, notBefore, notBefore + spec.Duration);
            case CaIssuerConfig ca when ca.SecretName == CaIssuerConfig.PlatformCaName && _platformCa() is { } platform:
                return LocalIssuers.FromCa(platform.Issuer, platform.Issuer.CertificatePem, platform.TrustBundle.ToPem(), spec.DnsNames, notBefore, notBefore + spec.Duration);
            case CaIssuerConfig ca:
                var caSecret = await TlsSecrets.GetAsync(_store, secretNs, ca.SecretName, ct)
                    ?? throw new IssuanceException(CertificateReasons.SecretNotFound, $"Secret \"{ca.SecretName}\" (the CA key pair) not found in namespace \"{secretNs}\"", retry: false);
                var crt = TlsSecrets.Get(caSecret, TlsSecrets.Crt);
                var keyPem = TlsSecrets.Get(caSecret, TlsSecrets.Key);
                if (crt is null || keyPem is null)
                    throw new IssuanceException(CertificateReasons.InvalidKeyPair, $"Secret \"{ca.SecretName}\" needs tls.crt and tls.key of the CA", retry: false);
                CertificateAuthority authority;
                try
                {
                    authority = CertificateAuthority.LoadFromPem(crt, keyPem, _time);
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidOperationException)
                {
                    throw new IssuanceException(CertificateReasons.InvalidKeyPair, $"Secret \"{ca.SecretName}\" does not hold a usable CA key pair: {e.Message}", retry: false);
                }
                using (authority)
                {
                    var caNotAfter = Utc(authority.Certificate.NotAfter);
                    var notAfter = notBefore + spec.Duration < caNotAfter ? notBefore + spec.Duration : caNotAfter;
                    return LocalIssuers.FromCa(authority, crt, TlsSecrets.Get(caSecret, TlsSecrets.Ca), spec.DnsNames, notBefore, notAfter);
                }
            case AcmeIssuerConfig acme:
                return await _acme.IssueAsync(acme, secretNs, spec.DnsNames, ct);
            default:
                throw new InvalidOperationException("unknown issuer type");
        }
    }

    /// <summary>Maps an issuance failure to a reason and message; null lets unexpected exceptions reach the runtime.</summary>
    private static IssuanceException? Classify(Exception e) => e switch
    {
        IssuanceException i => i,
        UnsupportedChallengeException u => new IssuanceException(CertificateReasons.Refused, u.Message, retry: false),
        AcmeServerUnavailableException u => new IssuanceException(CertificateReasons.AcmeServerUnavailable, u.Message),
        AcmeProblemException p => new IssuanceException(CertificateReasons.AcmeError, $"{p.Type}: {p.Message}"),
        ChallengeSolverException c => new IssuanceException(CertificateReasons.ChallengeFailed, c.Message),
        AcmeTimeoutException t => new IssuanceException(CertificateReasons.ChallengeFailed, t.Message),
        AcmeException a => new IssuanceException(CertificateReasons.AcmeError, a.Message),
        HttpRequestException h => new IssuanceException(CertificateReasons.AcmeServerUnavailable, h.Message),
        _ => null,
    };

    /// <summary>The certificate in the Secret when it was issued for this spec (same issuer, exactly these names).</summary>
    private static X509Certificate2? CurrentCertificate(ResourceObject? secret, CertificateSpec spec)
    {
        if (secret is null || TlsSecrets.Get(secret, TlsSecrets.Crt) is not { } pem || TlsSecrets.Get(secret, TlsSecrets.Key) is null) return null;
        if (!secret.Annotations.TryGetValue(TlsSecrets.IssuerAnnotation, out var by) || by != spec.IssuerId) return null;
        X509Certificate2 cert;
        try
        {
            cert = Pem.ReadCertificate(pem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or FormatException)
        {
            return null;
        }
        var sans = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(x => x.EnumerateDnsNames()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (sans.SetEquals(spec.DnsNames)) return cert;
        cert.Dispose();
        return null;
    }

    private async Task<ReconcileResult> NotReadyAsync(ResourceObject cert, string reason, string message, CancellationToken ct)
    {
        await CertificateStatus.SetAsync(_store, cert, _time.GetUtcNow(), new Condition("Ready", Condition.False, reason, message),
            new Dictionary<string, JsonNode?> { ["failedAttempts"] = null, ["lastFailureTime"] = null }, ct);
        return ReconcileResult.Done;
    }

    private Task<ResourceObject> SetStatusAsync(ResourceObject cert, Condition ready, X509Certificate2? leaf, DateTimeOffset? renewal,
        long failures, DateTimeOffset? lastFailure, CancellationToken ct)
    {
        var fields = new Dictionary<string, JsonNode?>
        {
            ["failedAttempts"] = failures > 0 ? JsonValue.Create(failures) : null,
            // Milliseconds (RFC 3339 allows fractions): the backoff is computed from it and may be sub-second.
            ["lastFailureTime"] = lastFailure is { } lf ? JsonValue.Create(lf.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)) : null,
        };
        if (leaf is not null)
        {
            fields["notBefore"] = ResourceObject.FormatTime(Utc(leaf.NotBefore));
            fields["notAfter"] = ResourceObject.FormatTime(Utc(leaf.NotAfter));
            fields["renewalTime"] = ResourceObject.FormatTime(renewal!.Value);
            fields["serialNumber"] = leaf.SerialNumber.ToLowerInvariant();
        }
        return CertificateStatus.SetAsync(_store, cert, _time.GetUtcNow(), ready, fields, ct);
    }

    private static string IssuedMessage(CertificateSpec spec, X509Certificate2 leaf) =>
        $"Certificate issued by {spec.IssuerKind} \"{spec.IssuerName}\" (valid until {ResourceObject.FormatTime(Utc(leaf.NotAfter))})";

    private static DateTimeOffset Utc(DateTime t) => new(t.ToUniversalTime(), TimeSpan.Zero);

    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "{Certificate}: {Reason} through {Issuer}")]
    private static partial void LogIssuing(ILogger logger, string certificate, string issuer, string reason);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "{Certificate}: issued into Secret {Secret}, valid until {NotAfter:O}")]
    private static partial void LogIssued(ILogger logger, string certificate, string secret, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "{Certificate}: issuance failed ({Reason}), attempt {Attempts}")]
    private static partial void LogFailed(ILogger logger, string certificate, string reason, long attempts, Exception exception);
}
