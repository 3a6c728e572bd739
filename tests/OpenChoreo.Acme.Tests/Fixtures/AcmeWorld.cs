using OpenChoreo.Pki;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>bind9 for example.test, the HTTP-01 responder and a pebble using both, shared by a test collection.</summary>
public sealed class AcmeWorld : IAsyncLifetime
{
    public static readonly string[] Hosts = ["www.example.test", "api.example.test", "reuse.example.test", "nonce.example.test", "fail.example.test"];

    public BindServer Bind { get; private set; } = null!;
    public Http01Responder Http01 { get; private set; } = null!;
    public PebbleServer Pebble { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Bind = await BindServer.StartAsync(Hosts);
        Http01 = await Http01Responder.StartAsync();
        Pebble = await PebbleServer.StartAsync(new PebbleSettings { HttpPort = Http01.Port, DnsServer = Bind.EndPoint });
    }

    public Task<PebbleServer> StartPebbleAsync(int nonceRejectPercent = 0, int? authzReusePercent = null) =>
        PebbleServer.StartAsync(new PebbleSettings
        {
            HttpPort = Http01.Port,
            DnsServer = Bind.EndPoint,
            NonceRejectPercent = nonceRejectPercent,
            AuthzReusePercent = authzReusePercent,
        });

    private static readonly Lazy<string> KeyStoreRoot = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "oc-acme-ks-" + Guid.NewGuid().ToString("N")[..10]);
        // Key stores are used by tests inside and outside the collection: remove them all when the run ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        };
        return root;
    });

    public static KeyStore NewKeyStore() =>
        new(Path.Combine(KeyStoreRoot.Value, Guid.NewGuid().ToString("N")[..10]),
            new KeyStoreOptions { MasterKey = new byte[32], ReadEnvironment = false });

    public async ValueTask DisposeAsync()
    {
        Pebble?.Dispose();
        if (Http01 is not null) await Http01.DisposeAsync();
        Bind?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AcmeWorldCollection : ICollectionFixture<AcmeWorld>
{
    public const string Name = "acme-world";
}
