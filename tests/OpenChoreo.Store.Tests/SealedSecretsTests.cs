using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;
using OpenChoreo.Store.Secrets;
using OpenChoreo.Store.Sqlite;

namespace OpenChoreo.Store.Tests;

/// <summary>Secret values sealed at rest over the real SQLite store: what is on disk, what readers see, what fails.</summary>
public sealed class SealedSecretsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("oc-sealed-").FullName;
    private SqliteResourceStore _raw = null!;
    private SealedSecretsStore _store = null!;
    private SecretKeyRing _keys = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _raw = new SqliteResourceStore(Options.Create(new SqliteStoreOptions { Path = Path.Combine(_dir, "store.db") }),
            Options.Create(new ResourceStoreOptions()), TimeProvider.System);
        _keys = SecretKeyRing.LoadOrCreate(Path.Combine(_dir, "secrets.key"));
        _store = new SealedSecretsStore(_raw, new SecretSealer(_keys));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _raw.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static ResourceObject Secret(string name, JsonObject? data = null, JsonObject? stringData = null)
    {
        var node = new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "acme" },
            ["type"] = "Opaque",
        };
        if (data is not null) node["data"] = data;
        if (stringData is not null) node["stringData"] = stringData;
        return new ResourceObject(node);
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static ResourceKey Key(string name) => new("Secret", "acme", name);

    [Fact]
    public async Task Values_are_sealed_on_disk_and_open_for_readers()
    {
        var created = await _store.CreateAsync(Secret("db", new JsonObject { ["password"] = B64("hunter2-very-secret") }), Ct);

        created.Node["data"]!["password"]!.GetValue<string>().ShouldBe(B64("hunter2-very-secret"));
        var raw = (await _raw.GetAsync(Key("db"), Ct))!;
        var stored = raw.Node["data"]!["password"]!.GetValue<string>();
        stored.ShouldStartWith($"ocs1:{_keys.KeyId}:");
        stored.ShouldNotContain(B64("hunter2-very-secret"));
        var file = await File.ReadAllBytesAsync(Path.Combine(_dir, "store.db"), Ct);
        Encoding.UTF8.GetString(file).ShouldNotContain("hunter2-very-secret");
        Encoding.UTF8.GetString(file).ShouldNotContain(B64("hunter2-very-secret"));
        (await _store.GetAsync(Key("db"), Ct))!.Node["data"]!["password"]!.GetValue<string>().ShouldBe(B64("hunter2-very-secret"));
        (await _store.ListAsync(new ListOptions("Secret", "acme"), Ct)).Items.Single().Node["data"]!["password"]!.GetValue<string>()
            .ShouldBe(B64("hunter2-very-secret"));
    }

    [Fact]
    public async Task The_json_text_reads_open_secrets_and_pass_other_kinds_through_as_stored()
    {
        await _store.CreateAsync(Secret("db", new JsonObject { ["password"] = B64("hunter2-very-secret") }), Ct);
        var project = await _store.CreateAsync(new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "Project",
            ["metadata"] = new JsonObject { ["name"] = "p", ["namespace"] = "acme" },
            ["spec"] = new JsonObject { ["deploymentPipelineRef"] = "default" },
        }), Ct);

        // Never the sealed text: the JSON readers go through the same opening as the object readers.
        var one = JsonNode.Parse((await _store.GetJsonAsync(Key("db"), Ct))!)!;
        one["data"]!["password"]!.GetValue<string>().ShouldBe(B64("hunter2-very-secret"));
        var list = await _store.ListJsonAsync(new ListOptions("Secret", "acme"), Ct);
        JsonNode.Parse(list.Items.Single())!["data"]!["password"]!.GetValue<string>().ShouldBe(B64("hunter2-very-secret"));
        var every = await _store.ListJsonAsync(new ListOptions(ListOptions.AllKinds, "acme"), Ct);
        every.Items.ShouldContain(i => i.Contains(B64("hunter2-very-secret")));
        every.Items.ShouldNotContain(i => i.Contains("ocs1:"));
        // Other kinds: the stored text itself, equal to the parsed object.
        (await _store.GetJsonAsync(new ResourceKey("Project", "acme", "p"), Ct)).ShouldBe(project.ToJson());
        (await _store.ListJsonAsync(new ListOptions("Project", "acme"), Ct)).Items.ShouldBe([project.ToJson()]);
        (await _store.GetJsonAsync(Key("missing"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task String_data_is_folded_into_data_and_wins()
    {
        var created = await _store.CreateAsync(Secret("s", new JsonObject { ["a"] = B64("old"), ["b"] = B64("kept") }, new JsonObject { ["a"] = "new" }), Ct);

        created.Node["stringData"].ShouldBeNull();
        created.Node["data"]!.ToJsonString().ShouldBe(new JsonObject { ["a"] = B64("new"), ["b"] = B64("kept") }.ToJsonString());
    }

    [Fact]
    public async Task Writing_an_unchanged_secret_again_changes_nothing()
    {
        var first = await _store.CreateAsync(Secret("same", new JsonObject { ["k"] = B64("v") }), Ct);
        var again = first.DeepClone();
        again.Node["data"]!["k"] = B64("v");

        var second = await _store.UpdateAsync(again, UpdateScope.Main, Ct);

        second.ResourceVersion.ShouldBe(first.ResourceVersion);
    }

    [Fact]
    public async Task Bad_values_are_refused_with_their_paths_and_nothing_is_stored()
    {
        var e = await Should.ThrowAsync<ApiException>(() => _store.CreateAsync(
            Secret("bad", new JsonObject { ["ok"] = B64("x"), ["notbase64"] = "%%%", ["bad/key"] = B64("y") }, new JsonObject { ["n"] = 5 }), Ct));

        e.Code.ShouldBe(422);
        e.Causes.Select(c => c.ToString()).ShouldBe([
            "data[notbase64]: must be a base64 string",
            "stringData[n]: must be a string",
            "data[bad/key]: a key must consist of alphanumerics, '-', '_' or '.'",
        ]);
        (await _raw.GetAsync(Key("bad"), Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_value_moved_to_another_secret_does_not_open()
    {
        await _store.CreateAsync(Secret("a", new JsonObject { ["k"] = B64("secret-a") }), Ct);
        var sealedValue = (await _raw.GetAsync(Key("a"), Ct))!.Node["data"]!["k"]!.GetValue<string>();
        await _raw.CreateAsync(Secret("b", new JsonObject { ["k"] = sealedValue }), Ct);

        var e = await Should.ThrowAsync<ApiException>(() => _store.GetAsync(Key("b"), Ct));
        e.Message.ShouldBe("Secret acme/b: the stored value of k does not authenticate (corrupted, or moved from another secret)");
    }

    [Fact]
    public async Task A_replica_with_another_key_says_so()
    {
        await _store.CreateAsync(Secret("k", new JsonObject { ["v"] = B64("x") }), Ct);
        var otherKeys = SecretKeyRing.LoadOrCreate(Path.Combine(_dir, "other.key"));
        var other = new SealedSecretsStore(_raw, new SecretSealer(otherKeys));

        var e = await Should.ThrowAsync<ApiException>(() => other.GetAsync(Key("k"), Ct));
        e.Message.ShouldBe($"Secret acme/k was sealed with key {_keys.KeyId}, but this control plane has key {otherKeys.KeyId}: every replica must use the same secrets:keyFile");
    }

    [Fact]
    public async Task Watchers_and_filters_see_opened_values()
    {
        await _store.CreateAsync(Secret("before", new JsonObject { ["k"] = B64("x") }), Ct); // revision 0 would mean "from now on"
        var from = await _store.GetRevisionAsync(Ct);
        await _store.CreateAsync(Secret("w", new JsonObject { ["k"] = B64("watched") }), Ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await foreach (var e in _store.WatchAsync(new ListOptions("Secret", "acme"), from, timeout.Token))
        {
            e.Object.Node["data"]!["k"]!.GetValue<string>().ShouldBe(B64("watched"));
            break;
        }
        var filtered = await _store.ListAsync(new ListOptions("Secret", "acme") { Filter = o => o.Node["data"]?["k"]?.GetValue<string>() == B64("watched") }, Ct);
        filtered.Items.Select(o => o.Name).ShouldBe(["w"]);
    }

    [Fact]
    public void The_key_file_is_private_and_reused()
    {
        var path = Path.Combine(_dir, "secrets.key");
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        SecretKeyRing.LoadOrCreate(path).KeyId.ShouldBe(_keys.KeyId);
        File.WriteAllText(Path.Combine(_dir, "short.key"), Convert.ToBase64String(new byte[16]));
        Should.Throw<InvalidOperationException>(() => SecretKeyRing.Load(Path.Combine(_dir, "short.key")))
            .Message.ShouldBe($"the secret key file {Path.Combine(_dir, "short.key")} holds 16 bytes; expected 32");
    }
}
