using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace OpenChoreo.Pki;

/// <summary>
/// The control plane's CA, kept in <c>&lt;dataDir&gt;/pki</c>: one or more CA generations, the one that issues
/// (<c>active</c>), and the trust bundle every peer verifies against. Rotation without disconnects:
/// <see cref="StageNewCa"/> (new CA trusted alongside the old), <see cref="Activate"/> (new CA issues),
/// then, once every certificate from the old CA has been renewed, <see cref="Retire"/> (old CA no longer trusted).
/// </summary>
public sealed class PlatformCa : IDisposable
{
    public const string DirectoryName = "pki";
    public const string ActiveFileName = "active";
    public const string TrustBundleName = "trust-bundle";
    private const string GenerationPrefix = "ca-";

    private readonly KeyStore _store;
    private readonly PlatformCaOptions _options;
    private readonly Lock _gate = new();
    private volatile State _state;

    private sealed record State(string ActiveGeneration, CertificateAuthority Issuer, TrustBundle Bundle);

    private PlatformCa(KeyStore store, PlatformCaOptions options, State state)
    {
        _store = store;
        _options = options;
        _state = state;
    }

    /// <summary>The CA that issues new certificates.</summary>
    public CertificateAuthority Issuer => _state.Issuer;

    public string ActiveGeneration => _state.ActiveGeneration;

    /// <summary>The CAs peers must trust right now (old and new during a rotation).</summary>
    public TrustBundle TrustBundle => _state.Bundle;

    /// <summary>A provider for <see cref="TlsPolicies"/>: always returns the current bundle, so rotation applies without restart.</summary>
    public Func<TrustBundle> TrustBundleProvider => () => _state.Bundle;

    public string PkiDirectory => _store.Directory;

    /// <summary>Loads the platform CA from <paramref name="dataDirectory"/>, creating it on first start. Safe to call from
    /// several processes at once: creation happens under a directory lock and the <c>active</c> file is written last.</summary>
    public static PlatformCa LoadOrCreate(string dataDirectory, PlatformCaOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        options ??= new();
        options.Authority.Validate();
        var store = new KeyStore(Path.Combine(dataDirectory, DirectoryName), options.KeyStore with { Logger = options.KeyStore.Logger ?? options.Logger });
        using (DirectoryLock.Acquire(store.Directory, options.LockTimeout))
        {
            var state = Load(store, options) ?? CreateFirst(store, options);
            return new PlatformCa(store, options, state);
        }
    }

    /// <summary>Creates the next CA generation and adds it to the trust bundle; the current CA keeps issuing.
    /// Publish the new bundle to every peer before calling <see cref="Activate"/>.</summary>
    public string StageNewCa()
    {
        lock (_gate)
        using (DirectoryLock.Acquire(_store.Directory, _options.LockTimeout))
        {
            var current = Reload();
            var generation = NextGeneration();
            using var ca = CreateGeneration(_store, generation, _options);
            var bundle = current.Bundle.With(ca.Certificate);
            _store.SaveCertificates(TrustBundleName, bundle.Authorities);
            _state = current with { Bundle = bundle };
            return generation;
        }
    }

    /// <summary>Makes <paramref name="generation"/> (which must be in the trust bundle) the issuing CA.</summary>
    public void Activate(string generation)
    {
        lock (_gate)
        using (DirectoryLock.Acquire(_store.Directory, _options.LockTimeout))
        {
            var current = Reload();
            var ca = LoadGeneration(_store, generation, _options);
            if (!current.Bundle.Contains(ca.Certificate))
            {
                ca.Dispose();
                throw new InvalidOperationException($"The CA '{generation}' is not in the trust bundle; stage it before activating it.");
            }
            _store.WriteText(ActiveFileName, generation + "\n");
            _state = new State(generation, ca, current.Bundle);
            if (_options.Logger is { } logger) PkiLog.CaActivated(logger, generation, current.Bundle.Authorities.Count);
        }
    }

    /// <summary>Removes an old CA from the trust bundle and deletes its key. Certificates it issued stop being accepted.</summary>
    public void Retire(string generation)
    {
        lock (_gate)
        using (DirectoryLock.Acquire(_store.Directory, _options.LockTimeout))
        {
            var current = Reload();
            if (generation == current.ActiveGeneration)
                throw new InvalidOperationException($"The CA '{generation}' is the issuing CA; activate another one before retiring it.");
            var cert = _store.LoadCertificates(CheckGeneration(generation))[0];
            var bundle = current.Bundle.Without(cert);
            _store.SaveCertificates(TrustBundleName, bundle.Authorities);
            _store.Delete(generation);
            _state = current with { Bundle = bundle };
            if (_options.Logger is { } logger) PkiLog.CaRetired(logger, generation);
        }
    }

    /// <summary>Stages and activates a new CA in one step; returns its generation. The old CA stays trusted until retired.</summary>
    public string Rotate()
    {
        var generation = StageNewCa();
        Activate(generation);
        return generation;
    }

    /// <summary>
    /// Returns the stored certificate <paramref name="name"/> (with its key) or issues a new one when it is missing, due
    /// for renewal, issued by a CA other than the active one, or its SANs or usage differ from <paramref name="request"/>.
    /// This is how a server on this machine (the API server in <c>up</c>) gets and keeps its TLS certificate.
    /// </summary>
    public X509Certificate2 GetOrIssueCertificate(string name, LeafCertificateRequest request, RenewalSchedule? renewal = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsGenerationName(name) || name == TrustBundleName)
            throw new ArgumentException($"'{name}' is reserved for the CA itself.", nameof(name));
        renewal ??= RenewalSchedule.Default;
        lock (_gate)
        using (DirectoryLock.Acquire(_store.Directory, _options.LockTimeout))
        {
            var issuer = _state.Issuer;
            if (_store.HasCertificate(name) && _store.HasPrivateKey(name))
            {
                var existing = _store.LoadCertificates(name)[0];
                if (IsCurrent(existing, issuer, request, renewal))
                {
                    using var key = _store.LoadPrivateKey(name);
                    return Pem.LoadCertificateWithKey(Pem.WriteCertificate(existing), Pem.WritePrivateKey(key));
                }
            }
            var issued = issuer.Issue(request);
            using (var key = (System.Security.Cryptography.AsymmetricAlgorithm?)issued.Certificate.GetECDsaPrivateKey() ?? issued.Certificate.GetRSAPrivateKey()!)
                _store.SavePrivateKey(name, key);
            _store.SaveCertificates(name, [issued.Certificate, .. issued.Issuers]);
            return issued.Certificate;
        }
    }

    private bool IsCurrent(X509Certificate2 cert, CertificateAuthority issuer, LeafCertificateRequest request, RenewalSchedule renewal)
    {
        if (renewal.NeedsRenewal(cert, _options.TimeProvider)) return false;
        if (cert.Issuer != issuer.Certificate.Subject
            || cert.Extensions[Oids.SubjectAltName] is null
            || !_state.Bundle.Verify(cert, request.Usage, _options.TimeProvider.GetUtcNow(), [issuer.Certificate]).IsTrusted
            || !cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Any(a =>
                a.KeyIdentifier is { } k && issuer.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>()
                    .Any(s => s.SubjectKeyIdentifier is { } ski && Convert.FromHexString(ski).AsSpan().SequenceEqual(k.Span))))
            return false;
        var sans = SubjectAlternativeNames.From(cert);
        return sans.DnsNames.SequenceEqual(request.DnsNames, StringComparer.OrdinalIgnoreCase)
            && sans.IpAddresses.SequenceEqual(request.IpAddresses)
            && sans.Uris.SequenceEqual(request.Uris.Select(u => u.OriginalString), StringComparer.Ordinal);
    }

    /// <summary>The CA generations on disk, oldest first.</summary>
    public IReadOnlyList<string> Generations() =>
        System.IO.Directory.EnumerateFiles(_store.Directory, GenerationPrefix + "*.crt.pem")
            .Select(p => Path.GetFileName(p)[..^".crt.pem".Length])
            .Where(IsGenerationName)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Re-reads the directory (another process may have rotated) and returns the fresh state.</summary>
    private State Reload()
    {
        var fresh = Load(_store, _options) ?? throw new InvalidOperationException($"The platform CA in '{_store.Directory}' disappeared.");
        _state = fresh;
        return fresh;
    }

    private static State? Load(KeyStore store, PlatformCaOptions options)
    {
        if (store.ReadText(ActiveFileName)?.Trim() is not { Length: > 0 } active) return null;
        var issuer = LoadGeneration(store, CheckGeneration(active), options);
        var bundle = store.HasCertificate(TrustBundleName) ? new TrustBundle(store.LoadCertificates(TrustBundleName)) : new TrustBundle([issuer.Certificate]);
        if (!bundle.Contains(issuer.Certificate))
            throw new KeyStoreException($"The trust bundle in '{store.Directory}' does not contain the active CA '{active}'; restore {TrustBundleName}.crt.pem.");
        return new State(active, issuer, bundle);
    }

    private static State CreateFirst(KeyStore store, PlatformCaOptions options)
    {
        const string generation = GenerationPrefix + "0001";
        var ca = CreateGeneration(store, generation, options);
        var bundle = new TrustBundle([ca.Certificate]);
        store.SaveCertificates(TrustBundleName, bundle.Authorities);
        store.WriteText(ActiveFileName, generation + "\n"); // last: this is what makes the CA exist
        if (options.Logger is { } logger) PkiLog.CaCreated(logger, generation);
        return new State(generation, ca, bundle);
    }

    private static CertificateAuthority CreateGeneration(KeyStore store, string generation, PlatformCaOptions options)
    {
        var ca = CertificateAuthority.Create(options.Authority, options.TimeProvider);
        store.SavePrivateKey(generation, ca.PrivateKey);
        store.SaveCertificates(generation, [ca.Certificate]);
        return ca;
    }

    private static CertificateAuthority LoadGeneration(KeyStore store, string generation, PlatformCaOptions options)
    {
        var certs = store.LoadCertificates(CheckGeneration(generation));
        if (certs.Count == 0) throw new KeyStoreException($"The CA certificate file for '{generation}' is empty.");
        var key = store.LoadPrivateKey(generation);
        return CertificateAuthority.Load(certs[0], key, options.TimeProvider, options.Authority.ClockSkewAllowance);
    }

    private string NextGeneration()
    {
        var max = Generations().Select(g => int.Parse(g.AsSpan(GenerationPrefix.Length), CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        return GenerationPrefix + (max + 1).ToString("D4", CultureInfo.InvariantCulture);
    }

    private static bool IsGenerationName(string name) =>
        name.Length == GenerationPrefix.Length + 4 && name.StartsWith(GenerationPrefix, StringComparison.Ordinal)
        && name.AsSpan(GenerationPrefix.Length).IndexOfAnyExceptInRange('0', '9') < 0;

    private static string CheckGeneration(string generation) =>
        IsGenerationName(generation) ? generation : throw new ArgumentException($"'{generation}' is not a CA generation name (ca-NNNN).", nameof(generation));

    public void Dispose() => _state.Issuer.Dispose();
}
