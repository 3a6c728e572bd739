namespace OpenChoreo.Certificates;

/// <summary>One HttpClient for DNS provider APIs (TLS verification on; pooled connections recycled).</summary>
internal static class ProviderHttp
{
    public static readonly HttpClient Shared = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
}
