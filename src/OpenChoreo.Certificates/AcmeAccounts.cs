using System.Security.Cryptography;
using OpenChoreo.Acme;
using OpenChoreo.Model;
using OpenChoreo.Pki;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates;

/// <summary>
/// ACME account keys kept in Secrets (key <c>tls.key</c>, PKCS#8 PEM, sealed at rest by the store), made on first use.
/// </summary>
internal static class AcmeAccounts
{
    public static async Task<AcmeAccountKey> LoadOrCreateAsync(IResourceStore store, string ns, string secretName, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await TlsSecrets.GetAsync(store, ns, secretName, ct) is { } existing)
            {
                var pem = TlsSecrets.Get(existing, TlsSecrets.Key)
                    ?? throw new IssuanceException(CertificateReasons.InvalidKeyPair, $"Secret \"{secretName}\" in namespace \"{ns}\" has no tls.key (the ACME account key)", retry: false);
                try
                {
                    return Pem.ReadPrivateKey(pem) is ECDsa ec ? new AcmeAccountKey(ec)
                        : throw new IssuanceException(CertificateReasons.InvalidKeyPair, $"Secret \"{secretName}\": the ACME account key must be ECDSA P-256", retry: false);
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException)
                {
                    throw new IssuanceException(CertificateReasons.InvalidKeyPair, $"Secret \"{secretName}\": the ACME account key cannot be read ({e.Message})", retry: false);
                }
            }
            var key = AcmeAccountKey.Generate();
            try
            {
                await TlsSecrets.WriteAsync(store, ns, secretName, "Opaque",
                    TlsSecrets.Data([new(TlsSecrets.Key, Pem.WritePrivateKey(key.Key))]), owner: null, annotations: null, ct);
                return key;
            }
            catch (ApiException e) when (e.Code == 409 && attempt == 0)
            {
                // Another reconcile made it first: use theirs.
            }
        }
    }
}
