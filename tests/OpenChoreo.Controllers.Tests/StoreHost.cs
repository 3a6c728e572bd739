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

    public IServiceProvider Services => _host.Services;

    public LeaderElection Election => _host.Services.GetRequiredService<LeaderElection>();

    public static async Task<StoreHost> StartAsync(string? path = null, Action<IServiceCollection>? configure = null, string? identity = null, bool controllers = true, string? postgres = null)
    {
        path ??= Path.Combine(Path.GetTempPath(), "occ-ctl-" + Guid.NewGuid().ToString("N")[..10] + ".db");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("OCC_TEST_LOG") == "1") builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["controllers:leaderElection:leaseDuration"] = "00:00:02";
        builder.Configuration["controllers:leaderElection:retryPeriod"] = "00:00:00.200";
        if (identity is not null) builder.Configuration["controllers:leaderElection:identity"] = identity;
        builder.Services.AddSingleton(TimeProvider.System);
        if (postgres is not null) builder.Services.AddPostgresResourceStore(postgres);
        else builder.Services.AddSqliteResourceStore(path);
        if (controllers) builder.Services.AddControllerRuntime(builder.Configuration);
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new StoreHost(host, path);
    }

    public async Task StopAsync() => await _host.StopAsync();

    /// <summary>
    /// A fresh PostgreSQL database on the server of <c>$OPENCHOREO_TEST_POSTGRES</c> (set by ./openchoreo test).
    /// Several replicas share one store only on PostgreSQL; the SQLite store belongs to one process.
    /// </summary>
    public static async Task<string> NewPostgresDatabaseAsync()
    {
        var server = Environment.GetEnvironmentVariable("OPENCHOREO_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OPENCHOREO_TEST_POSTGRES is not set: run the tests with ./openchoreo test, which starts PostgreSQL");
        var db = "ctl_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new Npgsql.NpgsqlConnection(server))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"CREATE DATABASE {db}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = db }.ConnectionString;
    }

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
