namespace OpenChoreo.Pki;

/// <summary>The key store could not read or write a key (wrong master key, corrupt or missing file, bad name).</summary>
public sealed class KeyStoreException(string message, Exception? inner = null) : Exception(message, inner);
