using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Store.Bench;
using OpenChoreo.Store.Postgres;
using OpenChoreo.Store.Sqlite;

// Usage: dotnet run -c Release --project bench/OpenChoreo.Store.Bench -- --backend sqlite|postgres|both --postgres "<conn>"
var backend = "both";
string? postgres = Environment.GetEnvironmentVariable("OPENCHOREO_TEST_POSTGRES");
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--backend" when i + 1 < args.Length: backend = args[++i]; break;
        case "--postgres" when i + 1 < args.Length: postgres = args[++i]; break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: --backend sqlite|postgres|both --postgres \"<conn>\"");
            return 2;
    }
}
if (backend is not ("sqlite" or "postgres" or "both"))
{
    Console.Error.WriteLine($"--backend must be sqlite, postgres or both, not '{backend}'");
    return 2;
}
if (backend != "sqlite" && string.IsNullOrWhiteSpace(postgres))
{
    Console.Error.WriteLine("the postgres back end needs --postgres \"<Npgsql connection string>\" (or OPENCHOREO_TEST_POSTGRES)");
    return 2;
}

var rows = new List<Result>();
if (backend is "sqlite" or "both")
{
    var dir = Directory.CreateTempSubdirectory("oc-store-bench-");
    try
    {
        await using var store = new SqliteResourceStore(
            Options.Create(new SqliteStoreOptions { Path = Path.Combine(dir.FullName, "bench.db") }),
            Options.Create(new ResourceStoreOptions()), TimeProvider.System);
        rows.AddRange(await StoreBenchmarks.RunAsync("sqlite", store));
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        dir.Delete(recursive: true);
    }
}
if (backend is "postgres" or "both")
{
    var db = "oc_bench_" + Guid.NewGuid().ToString("N")[..10];
    await Admin(postgres!, $"CREATE DATABASE {db}");
    try
    {
        var conn = new NpgsqlConnectionStringBuilder(postgres) { Database = db, MaxPoolSize = 200 }.ConnectionString;
        await using var store = new PostgresResourceStore(
            Options.Create(new PostgresStoreOptions { ConnectionString = conn }),
            Options.Create(new ResourceStoreOptions()), TimeProvider.System, NullLogger<PostgresResourceStore>.Instance);
        rows.AddRange(await StoreBenchmarks.RunAsync("postgres", store));
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await Admin(postgres!, $"DROP DATABASE IF EXISTS {db} WITH (FORCE)");
    }
}

Console.WriteLine();
Console.WriteLine($"{"backend",-9} {"measure",-34} {"value",12} {"target",12}  ok");
foreach (var r in rows)
{
    Console.WriteLine($"{r.Backend,-9} {r.Measure,-34} {r.Value,12} {r.Target,12}  {(r.Met is null ? "" : r.Met.Value ? "yes" : "NO")}");
}
return 0;

static async Task Admin(string connectionString, string sql)
{
    await using var conn = new NpgsqlConnection(connectionString);
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, conn);
    await cmd.ExecuteNonQueryAsync();
}
