using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Acme;
using OpenChoreo.Certificates;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Certificates.Tests;

/// <summary>A host with the real SQLite store (Secrets sealed at rest), the real controller manager and the
/// certificate controllers, on a temp directory.</summary>
public sealed class CertHost : IAsyncDisposable
{
    public const string Ns = "default";

    private readonly IHost _host;
    private readonly string _dir;

    private CertHost(IHost host, string dir)
    {
        _host = host;
        _dir = dir;
    }

    public IResourceStore Store => _host.Services.GetRequiredService<IResourceStore>();

    public string DatabasePath => Path.Combine(_dir, "store.db");

    public static async Task<CertHost> StartAsync(Http01ChallengeStore? http01 = null, Action<CertificatesOptions>? configure = null,
        bool issuerControllers = true)
    {
        var dir = Path.Combine(Path.GetTempPath(), "occ-certs-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("OCC_TEST_LOG") == "1") builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["controllers:leaderElection:leaseDuration"] = "00:00:02";
        builder.Configuration["controllers:leaderElection:retryPeriod"] = "00:00:00.200";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSqliteResourceStore(Path.Combine(dir, "store.db"));
        builder.Services.AddSealedSecrets(Path.Combine(dir, "secrets.key"));
        builder.Services.AddControllerRuntime(builder.Configuration);
        if (http01 is not null) builder.Services.AddSingleton(http01);
        builder.Services.AddOpenChoreoCertificates(configure: o =>
        {
            o.InitialBackoff = TimeSpan.FromMilliseconds(300);
            o.MaxBackoff = TimeSpan.FromSeconds(2);
            o.AcmePollInterval = TimeSpan.FromMilliseconds(20);
            o.AcmeMaxPollInterval = TimeSpan.FromMilliseconds(200);
            o.AcmePollTimeout = TimeSpan.FromSeconds(30);
            o.AcmeTransportRetries = 0;
            o.AcmeRequestTimeout = TimeSpan.FromSeconds(5);
            o.DnsPropagationTimeout = TimeSpan.FromSeconds(10);
            configure?.Invoke(o);
        });
        if (!issuerControllers)
        {
            // Only the Certificate controller: lets a test see traffic the Certificate controller alone makes.
            foreach (var d in builder.Services.Where(d => d.ImplementationType == typeof(IssuerReconciler) || d.ImplementationType == typeof(ClusterIssuerReconciler)).ToList())
                builder.Services.Remove(d);
        }
        var host = builder.Build();
        await host.StartAsync();
        // The namespace's Organization: the garbage collector empties namespaces that have none.
        await host.Services.GetRequiredService<IResourceStore>().CreateAsync(Obj("Organization", Ns, new JsonObject(), ns: null));
        return new CertHost(host, dir);
    }

    public static ResourceObject Obj(string kind, string name, JsonObject spec, string? ns = Ns) => new(new JsonObject
    {
        ["apiVersion"] = KindRegistry.GroupVersion,
        ["kind"] = kind,
        ["metadata"] = ns is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = spec,
    });

    public static JsonObject CertificateSpec(string secretName, string issuer, string[] dnsNames, string kind = "Issuer", string? duration = null) => new()
    {
        ["secretName"] = secretName,
        ["dnsNames"] = new JsonArray([.. dnsNames.Select(n => (JsonNode)n)]),
        ["issuerRef"] = new JsonObject { ["name"] = issuer, ["kind"] = kind },
        ["duration"] = duration ?? "2160h",
    };

    public Task<ResourceObject> CreateAsync(ResourceObject o) => Store.CreateAsync(o, TestContext.Current.CancellationToken);

    public async Task<ResourceObject> CreateSecretAsync(string name, string type, params (string Key, string Value)[] values)
    {
        var data = new JsonObject();
        foreach (var (k, v) in values) data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v));
        return await Store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Ns },
            ["type"] = type,
            ["data"] = data,
        }), TestContext.Current.CancellationToken);
    }

    public Task<ResourceObject?> GetAsync(string kind, string name, string ns = Ns) =>
        Store.GetAsync(new ResourceKey(kind, ns, name), TestContext.Current.CancellationToken);

    public async Task<string?> SecretValueAsync(string name, string key) =>
        await GetAsync("Secret", name) is { } s && s.Node["data"]?[key] is JsonValue v ? Encoding.UTF8.GetString(Convert.FromBase64String(v.GetValue<string>())) : null;

    public static Condition? Ready(ResourceObject? o) => o is null ? null : Conditions.Get(o, "Ready");

    /// <summary>Polls the store until <paramref name="condition"/> holds for the object (or fails with its last state).</summary>
    public async Task<ResourceObject> WaitForAsync(string kind, string name, Func<ResourceObject, bool> condition, string what, TimeSpan? timeout = null, string ns = Ns)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        ResourceObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(kind, name, ns);
            if (last is not null && condition(last)) return last;
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"Timed out waiting until {what}; last state: {last?.ToJson() ?? "(none)"}");
    }

    public Task<ResourceObject> WaitReadyAsync(string name, string reason, TimeSpan? timeout = null) =>
        WaitForAsync("Certificate", name, c => Ready(c) is { } r && r.Reason == reason && r.ObservedGeneration == c.Generation, $"Certificate {name} has reason {reason}", timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        catch (ObjectDisposedException)
        {
        }
        _host.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
