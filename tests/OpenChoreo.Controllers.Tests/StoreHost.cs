using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers.Tests;

/// <summary>A host with the real SQLite store, leader election and the given reconcilers, on a temp database file.</summary>
public sealed class StoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private StoreHost(IHost host, string path)
    {
        _host = host;
        DatabasePath = path;
    }

    public string DatabasePath { get; }

    public IResourceStore Store => _host.Services.GetRequiredService<IResourceStore>();

    public LeaderElection Election => _host.Services.GetRequiredService<LeaderElection>();

    public static async Task<StoreHost> StartAsync(string? path = null, Action<IServiceCollection>? configure = null, string? identity = null, bool controllers = true)
    {
        path ??= Path.Combine(Path.GetTempPath(), "occ-ctl-" + Guid.NewGuid().ToString("N")[..10] + ".db");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["controllers:leaderElection:leaseDuration"] = "00:00:02";
        builder.Configuration["controllers:leaderElection:retryPeriod"] = "00:00:00.200";
        if (identity is not null) builder.Configuration["controllers:leaderElection:identity"] = identity;
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSqliteResourceStore(path);
        if (controllers) builder.Services.AddControllerRuntime(builder.Configuration);
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new StoreHost(host, path);
    }

    public async Task StopAsync() => await _host.StopAsync();

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
    }
}
