using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Client;
using OpenChoreo.Server;
using OpenChoreo.Store;

namespace OpenChoreo.ControlPlane.Tests;

/// <summary>A real control-plane host (HTTPS on a free loopback port, SQLite in a temp directory) for one test class.</summary>
public class ControlPlaneFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "occ-cp-" + Guid.NewGuid().ToString("N")[..12]);

    public ClientContext Context { get; private set; } = null!;

    public string CliConfigPath => Path.Combine(DataDir, AdminAccessBootstrapper.ConfigFileName);

    public IResourceStore Store => _app!.Services.GetRequiredService<IResourceStore>();

    public IServiceProvider Services => _app!.Services;

    /// <summary>Extra settings (e.g. a small request limit) applied by subclasses.</summary>
    public Dictionary<string, string?> Settings { get; } = new();

    public async ValueTask InitializeAsync() => await StartAsync();

    /// <summary>Stops the host and starts a new one on the same data directory (a second start of the same installation).</summary>
    public async Task RestartAsync()
    {
        await _app!.StopAsync();
        await _app.DisposeAsync();
        _app = null;
        await StartAsync();
    }

    private async Task StartAsync()
    {
        var overrides = new Dictionary<string, string?>(Settings)
        {
            ["dataDir"] = DataDir,
            ["listen"] = "https://127.0.0.1:0",
            ["clusterGateway:listen"] = "https://127.0.0.1:0",
        };
        _app = ControlPlaneHost.Build(null, overrides, l => l.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        var gate = _app.Services.GetRequiredService<ReadinessGate>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!gate.IsReady)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the control plane did not become ready");
            await Task.Delay(20);
        }
        Context = ClientConfig.Load(CliConfigPath).Current ?? throw new InvalidOperationException("no CLI config was written");
    }

    public ApiClient Client() => new(Context);

    public ApiClient ClientWithToken(string? token) => new(new ClientContext
    {
        Name = "other",
        Server = Context.Server,
        CertificateAuthority = Context.CertificateAuthority,
        Token = token,
    });

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A control plane with the controllers off (<c>controllers:enabled=false</c>): nothing writes in the background (no
/// leader lease renewals, no reconciles; only the cluster gateway's presence Lease, which <see cref="StoreChanges"/>
/// leaves out), so API tests can assert that a request wrote nothing, and that
/// applying the samples twice reads back unchanged (with controllers on, the component controller points the samples'
/// ReleaseBindings at new ComponentReleases, as upstream's does).
/// </summary>
public sealed class QuietControlPlaneFixture : ControlPlaneFixture
{
    public QuietControlPlaneFixture() => Settings["controllers:enabled"] = "false";
}
