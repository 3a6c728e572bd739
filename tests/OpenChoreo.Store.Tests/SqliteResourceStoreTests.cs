using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenChoreo.Store.Sqlite;

namespace OpenChoreo.Store.Tests;

/// <summary>The shared suite on SQLite: one temporary database file per test class.</summary>
public sealed class SqliteResourceStoreTests : ResourceStoreSuite, IClassFixture<SqliteResourceStoreTests.TempDirectory>
{
    private readonly string _path;

    public SqliteResourceStoreTests(TempDirectory dir) => _path = Path.Combine(dir.Path, "store.db");

    protected override ResourceStoreBase CreateStore(ResourceStoreOptions options, TimeProvider time) =>
        new SqliteResourceStore(Options.Create(new SqliteStoreOptions { Path = _path }), Options.Create(options), time);

    [Fact]
    public async Task Data_and_revision_survive_reopening_the_file()
    {
        var path = Path.Combine(Path.GetDirectoryName(_path)!, Ns + ".db");
        long revision;
        await using (var first = new SqliteResourceStore(Options.Create(new SqliteStoreOptions { Path = path }),
            Options.Create(new ResourceStoreOptions()), Time))
        {
            await first.CreateAsync(Obj("a"), Ct);
            await first.CreateAsync(Obj("b"), Ct);
            await first.CreateAsync(Obj("c"), Ct);
            revision = await first.GetRevisionAsync(Ct);
            await first.CompactAsync(revision - 1, Ct);
        }
        await using var second = new SqliteResourceStore(Options.Create(new SqliteStoreOptions { Path = path }),
            Options.Create(new ResourceStoreOptions()), Time);
        (await second.GetAsync(Key("a"), Ct)).ShouldNotBeNull();
        (await second.GetRevisionAsync(Ct)).ShouldBe(revision);
        var created = await second.CreateAsync(Obj("d"), Ct);
        created.ResourceVersion.ShouldBe((revision + 1).ToString());
        var e = await Throws(async () =>
        {
            await foreach (var _ in second.WatchAsync(new ListOptions("Component"), revision - 2, Ct)) { }
        });
        e.Code.ShouldBe(410);
    }

    [Fact]
    public async Task Registration_provides_the_store_and_validates_options_at_start()
    {
        var good = Host.CreateApplicationBuilder();
        good.Services.AddSqliteResourceStore(Path.Combine(Path.GetDirectoryName(_path)!, Ns + "-di.db"));
        using (var host = good.Build())
        {
            await host.StartAsync(Ct);
            var store = host.Services.GetRequiredService<IResourceStore>();
            store.ShouldBeSameAs(host.Services.GetRequiredService<ResourceStoreBase>());
            (await store.CreateAsync(Obj("a"), Ct)).Generation.ShouldBe(1);
            await host.StopAsync(Ct);
        }

        var bad = Host.CreateApplicationBuilder();
        bad.Services.AddSqliteResourceStore("", o => o.BusyTimeout = TimeSpan.Zero);
        bad.Services.Configure<WatchHistoryOptions>(o => o.MaxRevisions = 0);
        using var badHost = bad.Build();
        var e = await Should.ThrowAsync<OptionsValidationException>(() => badHost.StartAsync(Ct));
        e.Message.ShouldContain("The Path field is required.");
        e.Message.ShouldContain("The field BusyTimeout must be between 00:00:00.1000000 and 00:10:00.");
    }

    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("oc-store-sqlite-").FullName;

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
    }
}
