using System.Security.Cryptography;

namespace OpenChoreo.Pki.Tests;

public sealed class KeyStoreTests
{
    private static readonly KeyStoreOptions NoEnv = new() { ReadEnvironment = false };

    [Fact]
    public void EC_and_RSA_keys_round_trip_encrypted_at_rest()
    {
        using var dir = new TempDirectory();
        var store = new KeyStore(dir.Path, NoEnv);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rsa = Fixtures.Rsa2048.Value;

        store.SavePrivateKey("agent", ec);
        store.SavePrivateKey("server", rsa);

        using var ec2 = (ECDsa)store.LoadPrivateKey("agent");
        using var rsa2 = (RSA)store.LoadPrivateKey("server");
        ec2.ExportPkcs8PrivateKey().ShouldBe(ec.ExportPkcs8PrivateKey());
        rsa2.ExportRSAPrivateKey().ShouldBe(rsa.ExportRSAPrivateKey());
        var onDisk = File.ReadAllText(store.PrivateKeyPath("agent"));
        onDisk.ShouldStartWith("-----BEGIN OPENCHOREO ENCRYPTED PRIVATE KEY-----");
        onDisk.ShouldNotContain(Convert.ToBase64String(ec.ExportPkcs8PrivateKey())[..24]);
    }

    [Fact]
    public void Secrets_are_0600_in_a_0700_directory_and_the_master_key_is_created_once()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "pki");
        var store = new KeyStore(path, NoEnv);
        using var ec = ECDsa.Create();
        store.SavePrivateKey("k", ec);
        store.SaveCertificates("ca", [Fixtures.Ca.Certificate]);

        store.UsesMasterKeyFile.ShouldBeTrue();
        var masterKey = Path.Combine(path, KeyStore.MasterKeyFileName);
        File.GetUnixFileMode(masterKey).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(store.PrivateKeyPath("k")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Convert.FromBase64String(File.ReadAllText(masterKey).Trim()).Length.ShouldBe(32);
        Directory.GetFiles(path, "*.tmp").ShouldBeEmpty();

        var before = File.ReadAllText(masterKey);
        using var again = (ECDsa)new KeyStore(path, NoEnv).LoadPrivateKey("k");
        File.ReadAllText(masterKey).ShouldBe(before);
        again.ExportSubjectPublicKeyInfo().ShouldBe(ec.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Wrong_master_key_fails_cleanly()
    {
        using var dir = new TempDirectory();
        using var ec = ECDsa.Create();
        new KeyStore(dir.Path, new() { MasterKey = RandomNumberGenerator.GetBytes(32) }).SavePrivateKey("agent", ec);

        var ex = Should.Throw<KeyStoreException>(() => new KeyStore(dir.Path, new() { MasterKey = RandomNumberGenerator.GetBytes(32) }).LoadPrivateKey("agent"));

        ex.Message.ShouldBe("The private key 'agent' cannot be decrypted: the master key is not the one it was written with, or the file was altered.");
        ex.InnerException.ShouldBeOfType<AuthenticationTagMismatchException>();
    }

    [Fact]
    public void A_key_file_renamed_to_another_name_does_not_decrypt()
    {
        using var dir = new TempDirectory();
        var store = new KeyStore(dir.Path, NoEnv);
        using var ec = ECDsa.Create();
        store.SavePrivateKey("agent", ec);
        File.Copy(store.PrivateKeyPath("agent"), store.PrivateKeyPath("ca-0001"));

        Should.Throw<KeyStoreException>(() => store.LoadPrivateKey("ca-0001")).Message.ShouldStartWith("The private key 'ca-0001' cannot be decrypted");
    }

    [Fact]
    public void Master_key_from_environment_is_used_and_validated()
    {
        using var dir = new TempDirectory();
        var key = RandomNumberGenerator.GetBytes(32);
        Environment.SetEnvironmentVariable(KeyStoreOptions.MasterKeyEnvironmentVariable, Convert.ToBase64String(key));
        try
        {
            var store = new KeyStore(dir.Path);
            using var ec = ECDsa.Create();
            store.SavePrivateKey("k", ec);
            store.UsesMasterKeyFile.ShouldBeFalse();
            File.Exists(Path.Combine(dir.Path, KeyStore.MasterKeyFileName)).ShouldBeFalse();
            using var loaded = new KeyStore(dir.Path, new() { MasterKey = key, ReadEnvironment = false }).LoadPrivateKey("k");

            Environment.SetEnvironmentVariable(KeyStoreOptions.MasterKeyEnvironmentVariable, Convert.ToBase64String(new byte[16]));
            Should.Throw<KeyStoreException>(() => new KeyStore(dir.Path))
                .Message.ShouldBe("The master key in the environment variable OPENCHOREO_PKI_MASTER_KEY must decode to 32 bytes, got 16.");
            Environment.SetEnvironmentVariable(KeyStoreOptions.MasterKeyEnvironmentVariable, "not base64!");
            Should.Throw<KeyStoreException>(() => new KeyStore(dir.Path))
                .Message.ShouldBe("The master key in the environment variable OPENCHOREO_PKI_MASTER_KEY is not base64.");
        }
        finally
        {
            Environment.SetEnvironmentVariable(KeyStoreOptions.MasterKeyEnvironmentVariable, null);
        }
    }

    [Fact]
    public void Configured_master_key_of_the_wrong_size_is_refused()
    {
        using var dir = new TempDirectory();
        Should.Throw<KeyStoreException>(() => new KeyStore(dir.Path, new() { MasterKey = new byte[31] }))
            .Message.ShouldBe("The configured master key must be 32 bytes, got 31.");
    }

    [Fact]
    public void Master_key_file_readable_by_others_is_refused()
    {
        using var dir = new TempDirectory();
        _ = new KeyStore(dir.Path, NoEnv);
        var masterKey = Path.Combine(dir.Path, KeyStore.MasterKeyFileName);
        File.SetUnixFileMode(masterKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Should.Throw<KeyStoreException>(() => new KeyStore(dir.Path, NoEnv))
            .Message.ShouldBe($"The master key file '{masterKey}' is accessible by other users; run 'chmod 600 {masterKey}'.");
    }

    [Fact]
    public void Missing_corrupt_and_badly_named_files_give_clear_errors()
    {
        using var dir = new TempDirectory();
        var store = new KeyStore(dir.Path, NoEnv);

        Should.Throw<KeyStoreException>(() => store.LoadPrivateKey("absent")).Message.ShouldBe($"The private key 'absent' does not exist ({store.PrivateKeyPath("absent")}).");
        File.WriteAllText(store.PrivateKeyPath("junk"), "hello");
        Should.Throw<KeyStoreException>(() => store.LoadPrivateKey("junk")).Message.ShouldBe($"The private key file '{store.PrivateKeyPath("junk")}' is not an encrypted key file.");
        Should.Throw<KeyStoreException>(() => store.LoadPrivateKey("../etc/passwd")).Message.ShouldStartWith("'../etc/passwd' is not a valid key store name");
        Should.Throw<KeyStoreException>(() => store.LoadCertificates("none")).Message.ShouldBe($"The certificate 'none' does not exist ({store.CertificatePath("none")}).");
    }
}
