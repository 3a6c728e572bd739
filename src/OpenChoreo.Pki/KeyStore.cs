using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenChoreo.Pki;

/// <summary>
/// A directory of PKI material. Private keys are PKCS#8 encrypted with AES-256-GCM under a master key (the key name is
/// bound as associated data, so files cannot be swapped); certificates are plain PEM. Every write is atomic; secrets
/// are created with mode 0600 in a 0700 directory.
/// </summary>
public sealed partial class KeyStore
{
    public const string MasterKeyFileName = "master.key";
    public const int MaxFileLength = 1024 * 1024;
    private const string EncryptedKeyLabel = "OPENCHOREO ENCRYPTED PRIVATE KEY";
    private static readonly byte[] Magic = "OCK1"u8.ToArray();
    private const int NonceSize = 12, TagSize = 16, KeySize = 32;

    private readonly byte[] _masterKey;

    public KeyStore(string directory, KeyStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new();
        Directory = Path.GetFullPath(directory);
        AtomicFile.EnsureDirectory(Directory);
        _masterKey = ResolveMasterKey(options);
    }

    public string Directory { get; }

    /// <summary>True when the master key was created or read from this directory rather than supplied.</summary>
    public bool UsesMasterKeyFile { get; private set; }

    public string PrivateKeyPath(string name) => Path.Combine(Directory, CheckName(name) + ".key.enc");

    public string CertificatePath(string name) => Path.Combine(Directory, CheckName(name) + ".crt.pem");

    public bool HasPrivateKey(string name) => File.Exists(PrivateKeyPath(name));

    public bool HasCertificate(string name) => File.Exists(CertificatePath(name));

    public void SavePrivateKey(string name, AsymmetricAlgorithm key)
    {
        var plain = key.ExportPkcs8PrivateKey();
        try
        {
            var blob = new byte[Magic.Length + NonceSize + TagSize + plain.Length];
            Magic.CopyTo(blob, 0);
            var nonce = blob.AsSpan(Magic.Length, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using (var aes = new AesGcm(_masterKey, TagSize))
                aes.Encrypt(nonce, plain, blob.AsSpan(Magic.Length + NonceSize + TagSize), blob.AsSpan(Magic.Length + NonceSize, TagSize), Aad(name));
            var text = PemEncoding.WriteString(EncryptedKeyLabel, blob) + "\n";
            AtomicFile.Write(PrivateKeyPath(name), Encoding.ASCII.GetBytes(text), secret: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>Decrypts and imports a private key.</summary>
    /// <exception cref="KeyStoreException">Missing or corrupt file, or a master key other than the one that encrypted it.</exception>
    public AsymmetricAlgorithm LoadPrivateKey(string name)
    {
        var path = PrivateKeyPath(name);
        var text = ReadFile(path) ?? throw new KeyStoreException($"The private key '{name}' does not exist ({path}).");
        byte[] blob;
        try
        {
            var fields = PemEncoding.Find(text);
            if (!text.AsSpan()[fields.Label].SequenceEqual(EncryptedKeyLabel)) throw new FormatException("unexpected PEM label");
            blob = Convert.FromBase64String(text[fields.Base64Data]);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new KeyStoreException($"The private key file '{path}' is not an encrypted key file.", ex);
        }
        if (blob.Length < Magic.Length + NonceSize + TagSize || !blob.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new KeyStoreException($"The private key file '{path}' has an unknown format.");

        var plain = new byte[blob.Length - Magic.Length - NonceSize - TagSize];
        try
        {
            using (var aes = new AesGcm(_masterKey, TagSize))
                aes.Decrypt(blob.AsSpan(Magic.Length, NonceSize), blob.AsSpan(Magic.Length + NonceSize + TagSize),
                    blob.AsSpan(Magic.Length + NonceSize, TagSize), plain, Aad(name));
            return Pem.ImportPkcs8(plain);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new KeyStoreException($"The private key '{name}' cannot be decrypted: the master key is not the one it was written with, or the file was altered.", ex);
        }
        catch (CryptographicException ex)
        {
            throw new KeyStoreException($"The private key '{name}' is not a valid PKCS#8 key.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public void SaveCertificates(string name, IEnumerable<X509Certificate2> certificates) =>
        AtomicFile.Write(CertificatePath(name), Encoding.ASCII.GetBytes(Pem.WriteCertificates(certificates)), secret: false);

    public IReadOnlyList<X509Certificate2> LoadCertificates(string name)
    {
        var path = CertificatePath(name);
        var text = ReadFile(path) ?? throw new KeyStoreException($"The certificate '{name}' does not exist ({path}).");
        try
        {
            return Pem.ReadCertificates(text);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw new KeyStoreException($"The certificate file '{path}' is not valid PEM.", ex);
        }
    }

    /// <summary>Writes a small non-secret text file (e.g. a pointer to the active CA) atomically.</summary>
    public void WriteText(string fileName, string content) =>
        AtomicFile.Write(Path.Combine(Directory, CheckName(fileName)), Encoding.UTF8.GetBytes(content), secret: false);

    public string? ReadText(string fileName) => ReadFile(Path.Combine(Directory, CheckName(fileName)));

    /// <summary>Deletes a key and certificate pair; missing files are fine.</summary>
    public void Delete(string name)
    {
        File.Delete(PrivateKeyPath(name));
        File.Delete(CertificatePath(name));
    }

    private static string? ReadFile(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (fs.Length > MaxFileLength) throw new KeyStoreException($"'{path}' is larger than {MaxFileLength} bytes.");
            using var reader = new StreamReader(fs, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static byte[] Aad(string name) => Encoding.UTF8.GetBytes("openchoreo-pki-key/v1/" + name);

    private static string CheckName(string name)
    {
        if (name is null || !NameRegex().IsMatch(name))
            throw new KeyStoreException($"'{name}' is not a valid key store name (lowercase letters, digits, '-', '.', '_'; 1-64 characters; no leading dot).");
        return name;
    }

    [GeneratedRegex("^[a-z0-9_][a-z0-9_.-]{0,63}$")]
    private static partial Regex NameRegex();

    private byte[] ResolveMasterKey(KeyStoreOptions options)
    {
        if (options.MasterKey is { } supplied)
            return supplied.Length == KeySize ? supplied.ToArray()
                : throw new KeyStoreException($"The configured master key must be {KeySize} bytes, got {supplied.Length}.");
        if (options.ReadEnvironment && Environment.GetEnvironmentVariable(KeyStoreOptions.MasterKeyEnvironmentVariable) is { Length: > 0 } env)
            return DecodeMasterKey(env, $"the environment variable {KeyStoreOptions.MasterKeyEnvironmentVariable}");

        UsesMasterKeyFile = true;
        var path = Path.Combine(Directory, MasterKeyFileName);
        if (ReadMasterKeyFile(path) is { } existing) return existing;

        var key = RandomNumberGenerator.GetBytes(KeySize);
        var temp = path + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)) + ".tmp";
        AtomicFile.Write(temp, Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"), secret: true);
        try
        {
            // No-clobber move: if another process won the race, use its key.
            File.Move(temp, path, overwrite: false);
            if (options.Logger is { } logger) PkiLog.MasterKeyCreated(logger, path);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return ReadMasterKeyFile(path) ?? throw new KeyStoreException($"The master key file '{path}' vanished while being read.");
        }
    }

    private static byte[]? ReadMasterKeyFile(string path)
    {
        if (!File.Exists(path)) return null;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new KeyStoreException($"The master key file '{path}' is accessible by other users; run 'chmod 600 {path}'.");
        var text = ReadFile(path) ?? throw new KeyStoreException($"The master key file '{path}' vanished while being read.");
        return DecodeMasterKey(text.Trim(), $"the file {path}");
    }

    private static byte[] DecodeMasterKey(string base64, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException ex)
        {
            throw new KeyStoreException($"The master key in {source} is not base64.", ex);
        }
        return key.Length == KeySize ? key : throw new KeyStoreException($"The master key in {source} must decode to {KeySize} bytes, got {key.Length}.");
    }
}
