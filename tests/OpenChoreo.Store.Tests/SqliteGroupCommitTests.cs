using Microsoft.Extensions.Options;
using OpenChoreo.Model;
using OpenChoreo.Store.Sqlite;

namespace OpenChoreo.Store.Tests;

/// <summary>
/// Group commit on SQLite: concurrent writes share transactions, yet each keeps the outcome it would have alone —
/// conflicts and duplicates fail only themselves, and revisions stay contiguous in commit order.
/// </summary>
public sealed class SqliteGroupCommitTests : IClassFixture<SqliteResourceStoreTests.TempDirectory>
{
    private const string Ns = "group";
    private readonly string _path;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ResourceObject Obj(string name) => new(new System.Text.Json.Nodes.JsonObject
    {
        ["apiVersion"] = "openchoreo.dev/v1alpha1",
        ["kind"] = "Component",
        ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name, ["namespace"] = Ns },
        ["spec"] = new System.Text.Json.Nodes.JsonObject { ["replicas"] = 1 },
    });

    private static ResourceKey Key(string name) => new("Component", Ns, name);

    public SqliteGroupCommitTests(SqliteResourceStoreTests.TempDirectory dir) => _path = Path.Combine(dir.Path, "group.db");

    [Fact]
    public async Task Concurrent_writes_share_commits_and_each_keeps_its_own_outcome()
    {
        await using var store = new SqliteResourceStore(Options.Create(new SqliteStoreOptions { Path = _path }),
            Options.Create(new ResourceStoreOptions()), TimeProvider.System);
        var shared = await store.CreateAsync(Obj("shared"), Ct);
        var from = await store.GetRevisionAsync(Ct);
        var commitsBefore = store.Commits;
        await using var watch = new WatchCollector(store, new ListOptions("Component", Ns), from);

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<(string Name, ResourceObject? Result, ApiException? Error)> Run(string name, Func<Task<ResourceObject>> write)
        {
            await gate.Task;
            try
            {
                return (name, await write(), null);
            }
            catch (ApiException e)
            {
                return (name, null, e);
            }
        }
        var tasks = new List<Task<(string Name, ResourceObject? Result, ApiException? Error)>>();
        for (var i = 0; i < 32; i++)
        {
            var n = i;
            tasks.Add(Task.Run(() => Run($"new-{n}", () => store.CreateAsync(Obj($"new-{n}"), Ct)), Ct));
            // Every update names the revision "shared" was created at: exactly one may win.
            tasks.Add(Task.Run(() => Run($"update-{n}", () =>
            {
                var o = shared.DeepClone();
                o.Spec!["replicas"] = 100 + n;
                return store.UpdateAsync(o, ct: Ct);
            }), Ct));
            if (n < 4) tasks.Add(Task.Run(() => Run($"dup-{n}", () => store.CreateAsync(Obj("dup"), Ct)), Ct));
        }
        // Hold the writer until every write has queued: how many share a commit then depends on the store, not on
        // how the thread pool happened to schedule the callers on a busy machine.
        using (await store.HoldWriterAsync(Ct))
        {
            gate.SetResult();
            await Eventually.TrueAsync(() => Task.FromResult(store.QueuedWrites == tasks.Count), "every write has queued");
        }
        var results = await Task.WhenAll(tasks);

        results.Where(r => r.Name.StartsWith("new-", StringComparison.Ordinal)).ShouldAllBe(r => r.Error == null);
        var updates = results.Where(r => r.Name.StartsWith("update-", StringComparison.Ordinal)).ToArray();
        var winner = updates.Where(u => u.Error == null).ShouldHaveSingleItem();
        updates.Where(u => u.Error != null).ShouldAllBe(u => u.Error!.Code == 409 && u.Error.Message.Contains(ObjectRules.ModifiedMessage));
        var dups = results.Where(r => r.Name.StartsWith("dup-", StringComparison.Ordinal)).ToArray();
        dups.Count(d => d.Error == null).ShouldBe(1);
        dups.Where(d => d.Error != null).ShouldAllBe(d => d.Error!.Code == 409 && d.Error.Reason == StatusReasons.AlreadyExists);

        // 32 creates, one update, one duplicate create: contiguous revisions, one event each, in revision order.
        var written = results.Where(r => r.Error == null).Select(r => long.Parse(r.Result!.ResourceVersion!)).Order().ToArray();
        written.ShouldBe(Enumerable.Range(1, 34).Select(i => from + i));
        (await store.GetRevisionAsync(Ct)).ShouldBe(from + 34);
        var events = await watch.WaitForAsync(34);
        events.Select(e => e.ResourceVersion).ShouldBe(written);
        var stored = await store.GetAsync(Key("shared"), Ct);
        stored!.Spec!["replicas"]!.GetValue<int>().ShouldBe(winner.Result!.Spec!["replicas"]!.GetValue<int>());
        stored.ResourceVersion.ShouldBe(winner.Result.ResourceVersion);
        // The point of it: 68 queued writes take ceil(68 / 64) = 2 transactions (only the second holds commits).
        (store.Commits - commitsBefore).ShouldBeLessThanOrEqualTo(2);
    }
}
