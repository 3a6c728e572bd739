namespace OpenChoreo.Certificates;

/// <summary>What gets written to the TLS Secret: the chain (leaf first), the key (PKCS#8 PEM) and, when known, the CA.</summary>
internal sealed record IssuedKeyPair(string ChainPem, string PrivateKeyPem, string? CaPem);
