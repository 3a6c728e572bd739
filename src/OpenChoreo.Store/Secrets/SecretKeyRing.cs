using System.Security.Cryptography;
using System.Text;

namespace OpenChoreo.Store.Secrets;

/// <summary>
/// The key that seals Secret values at rest: 32 random bytes in a 0600 file. Every control-plane replica must use the
/// same file (secrets:keyFile); a value sealed under another key fails to open with a message naming both key ids.
/// Sub-keys for encryption and for nonce derivation come from HKDF so the file's bytes are used for one purpose only.
/// </summary>
public sealed class SecretKeyRing
{
    private const int KeyBytes = 32;

    public SecretKeyRing(byte[] master)
    {
        if (master.Length != KeyBytes) throw new ArgumentException($"a secret key is {KeyBytes} bytes", nameof(master));
        EncryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, KeyBytes, salt: [], info: "openchoreo secrets aes-gcm"u8.ToArray());
        NonceKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, KeyBytes, salt: [], info: "openchoreo secrets nonce"u8.ToArray());
        KeyId = Convert.ToHexStringLower(SHA256.HashData(HKDF.DeriveKey(HashAlgorithmName.SHA256, master, KeyBytes, salt: [], info: "openchoreo secrets key id"u8.ToArray())))[..8];
    }

    /// <summary>A short public name of the key (not derivable into it), stored with every sealed value.</summary>
    public string KeyId { get; }

    internal byte[] EncryptionKey { get; }

    internal byte[] NonceKey { get; }

    /// <summary>Loads the key file, creating it (0600, atomically) when it does not exist yet.</summary>
    public static SecretKeyRing LoadOrCreate(string path)
    {
        if (File.Exists(path)) return Load(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var f = new FileStream(tmp, options))
        {
            f.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
        }
        try
        {
            File.Move(tmp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(tmp); // another process created it first: use theirs
        }
        return Load(path);
    }

    public static SecretKeyRing Load(string path)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"the secret key file {path} does not hold a base64 key");
        }
        if (key.Length != KeyBytes) throw new InvalidOperationException($"the secret key file {path} holds {key.Length} bytes; expected {KeyBytes}");
        return new SecretKeyRing(key);
    }
}
