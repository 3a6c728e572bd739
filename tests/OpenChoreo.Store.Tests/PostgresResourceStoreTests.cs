using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenChoreo.Store.Postgres;

namespace OpenChoreo.Store.Tests;

/// <summary>The shared suite on PostgreSQL: a fresh database per test class, plus what only a shared database has.</summary>
public sealed class PostgresResourceStoreTests(PostgresServer server, PostgresResourceStoreTests.Database database)
    : ResourceStoreSuite, IClassFixture<PostgresResourceStoreTests.Database>
{
    protected override ResourceStoreBase CreateStore(ResourceStoreOptions options, TimeProvider time) =>
        Create(ConnectionString, options, time);

    private string ConnectionString => database.GetConnectionString(server);

    private static PostgresResourceStore Create(string connectionString, ResourceStoreOptions options, TimeProvider time,
        ListLogger<PostgresResourceStore>? logger = null) =>
        new(Options.Create(new PostgresStoreOptions { ConnectionString = connectionString, PollInterval = TimeSpan.FromSeconds(5) }),
            Options.Create(options), time, (Microsoft.Extensions.Logging.ILogger<PostgresResourceStore>?)logger ?? NullLogger<PostgresResourceStore>.Instance);

    /// <summary>
    /// The PostgreSQL half never passes vacuously: it talks to a real server, and in CI to the one eng/test.sh
    /// started (the fixture refuses to start its own there).
    /// </summary>
    [Fact]
    public async Task The_suite_runs_on_a_real_postgresql_server()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT version()", conn);
        ((string)(await cmd.ExecuteScalarAsync(Ct))!).ShouldStartWith("PostgreSQL ");
        var store = NewStore();
        var created = await store.CreateAsync(Obj("real"), Ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM oc_objects WHERE uid = $1", conn);
        count.Parameters.AddWithValue(created.Uid!);
        ((long)(await count.ExecuteScalarAsync(Ct))!).ShouldBe(1);
        if (PostgresServer.IsCi)
        {
            var fromEnv = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable).ShouldNotBeNull());
            var used = new NpgsqlConnectionStringBuilder(ConnectionString);
            (used.Host, used.Port).ShouldBe((fromEnv.Host, fromEnv.Port));
        }
    }

    [Fact]
    public async Task A_watcher_on_one_instance_sees_writes_made_through_another()
    {
        var writer = NewStore();
        var reader = NewStore();
        var from = await reader.GetRevisionAsync(Ct);
        var watch = Watch(reader, new ListOptions("Component", Ns), from);
        // Notifications, not the (5 s) poll, deliver these: the wait below is shorter than one poll interval.
        await watch.WaitForAsync(0);
        var created = await writer.CreateAsync(Obj("a"), Ct);
        created.Spec!["replicas"] = 2;
        await writer.UpdateAsync(created, ct: Ct);
        var events = await watch.WaitForAsync(2, seconds: 4);
        events.Select(e => e.Type).ShouldBe([WatchEventType.Added, WatchEventType.Modified]);
        (await reader.GetAsync(Key("a"), Ct))!.Spec!["replicas"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public async Task Writers_in_two_instances_share_one_revision_sequence()
    {
        var a = NewStore();
        var b = NewStore();
        var from = await a.GetRevisionAsync(Ct);
        var watch = Watch(b, new ListOptions(ListOptions.AllKinds), from);
        var writes = await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < 30; i++) await a.CreateAsync(Obj("a" + i), Ct); }, Ct),
            Task.Run(async () => { for (var i = 0; i < 30; i++) await b.CreateAsync(Obj("b" + i), Ct); }, Ct))
            .ContinueWith(_ => 60, Ct);
        var events = await watch.WaitForAsync(writes);
        events.Select(e => e.ResourceVersion).ShouldBe(Enumerable.Range(1, 60).Select(i => from + i));
        (await a.GetRevisionAsync(Ct)).ShouldBe(from + 60);
    }

    [Fact]
    public async Task A_multi_host_connection_string_with_target_session_attributes_writes_to_the_primary()
    {
        var csb = new NpgsqlConnectionStringBuilder(ConnectionString);
        // An unreachable first host and a "prefer-standby" attribute: the store must still find the primary.
        csb.Host = $"127.0.0.1:1,{csb.Host}:{csb.Port}";
        csb.TargetSessionAttributes = "prefer-standby";
        await using var store = Create(csb.ConnectionString, new ResourceStoreOptions(), Time);
        var created = await store.CreateAsync(Obj("multi"), Ct);
        (await NewStore().GetAsync(Key("multi"), Ct))!.Uid.ShouldBe(created.Uid);
    }

    [Fact]
    public async Task With_a_standby_listed_first_writes_still_go_to_the_primary_and_replicate()
    {
        await using var standby = await server.StartStandbyAsync();
        var primary = new NpgsqlConnectionStringBuilder(ConnectionString);
        var csb = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Host = $"127.0.0.1:{standby.Port},{primary.Host}:{primary.Port}",
            TargetSessionAttributes = "prefer-standby",
        };
        var log = new ListLogger<PostgresResourceStore>();
        await using var store = Create(csb.ConnectionString, new ResourceStoreOptions(), Time, log);
        var from = await store.GetRevisionAsync(Ct);
        var watch = Watch(store, new ListOptions("Component", Ns), from);
        var created = await store.CreateAsync(Obj("replicated"), Ct);
        (await store.GetRevisionAsync(Ct)).ShouldBe(from + 1);
        try
        {
            (await watch.WaitForAsync(1)).ShouldHaveSingleItem().Object.Uid.ShouldBe(created.Uid);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(string.Join("\n", log.Lines), e);
        }
        log.Lines.ShouldBeEmpty();

        // The standby is read-only and receives the write by streaming replication.
        var onStandby = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = standby.Port }.ConnectionString;
        await Eventually.TrueAsync(async () =>
        {
            await using var conn = new NpgsqlConnection(onStandby);
            await conn.OpenAsync(Ct);
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM oc_objects WHERE uid = $1", conn);
            cmd.Parameters.AddWithValue(created.Uid!);
            return (long)(await cmd.ExecuteScalarAsync(Ct))! == 1;
        }, "the object is replicated to the standby");
    }

    /// <summary>One database per test class.</summary>
    public sealed class Database
    {
        private readonly Lock _lock = new();
        private string? _connectionString;

        public string GetConnectionString(PostgresServer server)
        {
            lock (_lock)
            {
                return _connectionString ??= server.CreateDatabaseAsync().GetAwaiter().GetResult();
            }
        }
    }
}
