using OpenChoreo.Acme.Tests.Fixtures;

namespace OpenChoreo.Certificates.Tests;

/// <summary>bind9 (zone example.test, TSIG updates), the HTTP-01 responder (serving the controllers' store) and pebble.</summary>
public sealed class AcmeWorld : IAsyncLifetime
{
    public static readonly string[] Hosts = ["www.example.test", "api.example.test", "down.example.test", "renew.example.test"];

    public BindServer Bind { get; private set; } = null!;
    public Http01Responder Http01 { get; private set; } = null!;
    public PebbleServer Pebble { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Bind = await BindServer.StartAsync(Hosts);
        Http01 = await Http01Responder.StartAsync();
        Pebble = await PebbleServer.StartAsync(new PebbleSettings { HttpPort = Http01.Port, DnsServer = Bind.EndPoint });
    }

    /// <summary>pebble's TLS CA as the issuer's spec.acme.caBundle (base64 PEM).</summary>
    public string CaBundle => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Pebble.TlsTrust.ToPem()));

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
    public const string Name = "certs-acme-world";
}
