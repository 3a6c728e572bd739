using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(OpenChoreo.Store.Tests.PostgresServer))]

namespace OpenChoreo.Store.Tests;

/// <summary>
/// The PostgreSQL the suite runs against: <c>OPENCHOREO_TEST_POSTGRES</c> when set (<c>./openchoreo test</c> sets
/// it), otherwise a throw-away server started here with initdb/pg_ctl on a free loopback port.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "OPENCHOREO_TEST_POSTGRES";
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private string? _dir;

    public string ConnectionString { get; private set; } = "";

    /// <summary>True under a CI runner (<c>CI=true</c> or <c>CI=1</c>, as GitHub Actions and most runners set it).</summary>
    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { } ci && (ci == "1" || ci.Equals("true", StringComparison.OrdinalIgnoreCase));

    public async ValueTask InitializeAsync()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            ConnectionString = fromEnv;
            return;
        }
        // In CI the PostgreSQL half must run against the server eng/test.sh started; never fall back silently.
        if (IsCi)
        {
            throw new InvalidOperationException(
                $"CI is set but {EnvironmentVariable} is not: run the tests with ./openchoreo test, which starts PostgreSQL and sets it");
        }
        if (!File.Exists(Path.Combine(BinDir, "initdb")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL is needed: set {EnvironmentVariable} or install PostgreSQL 15 ({BinDir} is missing)");
        }
        _dir = Directory.CreateTempSubdirectory("oc-store-pg-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "sock"));
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", _dir]);
        await RunPgAsync(asRoot, "initdb", ["-D", Path.Combine(_dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
        await RunPgAsync(asRoot, "pg_ctl", ["-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "server.log"), "-o",
            $"-p {port} -k {Path.Combine(_dir, "sock")} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "-w", "start"]);
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "oc_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dir is null) return;
        await RunPgAsync(Environment.UserName == "root", "pg_ctl", ["-D", Path.Combine(_dir, "data"), "-m", "immediate", "stop"]);
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// Starts a streaming standby of this server (pg_basebackup -R) on a free loopback port; dispose to stop it.
    /// </summary>
    public async Task<Standby> StartStandbyAsync()
    {
        var primary = new NpgsqlConnectionStringBuilder(ConnectionString);
        var dir = Directory.CreateTempSubdirectory("oc-store-standby-").FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", dir]);
        var data = Path.Combine(dir, "data");
        await RunPgAsync(asRoot, "pg_basebackup", ["-h", primary.Host!, "-p", primary.Port.ToString(), "-U", primary.Username ?? "postgres",
            "-D", data, "-R", "-X", "stream"]);
        var port = FreePort();
        // A standby needs at least the primary's max_connections.
        string maxConnections;
        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW max_connections", conn);
            maxConnections = (string)(await show.ExecuteScalarAsync())!;
        }
        try
        {
            await RunPgAsync(asRoot, "pg_ctl", ["-D", data, "-l", Path.Combine(dir, "server.log"), "-o",
                $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c max_connections={maxConnections}", "-w", "start"]);
        }
        catch
        {
            Directory.Delete(dir, recursive: true);
            throw;
        }
        return new Standby(port, async () =>
        {
            await RunPgAsync(asRoot, "pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
            Directory.Delete(dir, recursive: true);
        });
    }

    public sealed class Standby(int port, Func<Task> stop) : IAsyncDisposable
    {
        public int Port { get; } = port;

        public async ValueTask DisposeAsync() => await stop();
    }

    private static Task RunPgAsync(bool asRoot, string tool, string[] args) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDir, tool), .. args])
               : RunAsync(Path.Combine(BinDir, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
