using OpenChoreo.Testing;

namespace OpenChoreo.Controllers.Tests;

public class LeaderElectionTests
{
    [Fact]
    public async Task Exactly_one_of_two_replicas_leads_and_the_other_takes_over_when_it_stops()
    {
        var db = await StoreHost.NewPostgresDatabaseAsync();
        await using var a = await StoreHost.StartAsync(identity: "replica-a", postgres: db);
        await using var b = await StoreHost.StartAsync(identity: "replica-b", postgres: db);
        await Eventually.WaitUntilAsync(() => a.Election.IsLeader || b.Election.IsLeader, "a leader is elected", TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        (a.Election.IsLeader && b.Election.IsLeader).ShouldBeFalse("two leaders at once");
        var (leader, follower) = a.Election.IsLeader ? (a, b) : (b, a);
        await leader.StopAsync();
        await Eventually.WaitUntilAsync(() => follower.Election.IsLeader, "the follower takes over", TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        leader.Election.IsLeader.ShouldBeFalse();
    }

    [Fact]
    public async Task A_lease_left_by_a_crashed_leader_is_taken_over_only_after_it_expires()
    {
        var path = Path.Combine(Path.GetTempPath(), "occ-ctl-" + Guid.NewGuid().ToString("N")[..10] + ".db");
        await using (var storeOnly = await StoreHost.StartAsync(path, controllers: false))
        {
            // What a leader that crashed leaves behind: a lease it will never renew.
            await storeOnly.Store.CreateAsync(new OpenChoreo.Model.ResourceObject(new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "internal.openchoreo.dev/v1",
                ["kind"] = "Lease",
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "openchoreo-controllers" },
                ["spec"] = new System.Text.Json.Nodes.JsonObject { ["holderIdentity"] = "crashed-replica", ["leaseDurationSeconds"] = 2 },
            }), TestContext.Current.CancellationToken);
        }
        var started = DateTime.UtcNow;
        await using var b = await StoreHost.StartAsync(path, identity: "replica-b");
        await Eventually.WaitUntilAsync(() => b.Election.IsLeader, "replica-b takes over after expiry", TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        var waited = DateTime.UtcNow - started;
        waited.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.8), "it must wait for the lease to expire");
        waited.ShouldBeLessThan(TimeSpan.FromSeconds(15), "failover within 15 s");
        var lease = await b.Store.GetAsync(new("Lease", "", "openchoreo-controllers"), TestContext.Current.CancellationToken);
        ((string?)lease!.Spec!["holderIdentity"]).ShouldBe("replica-b");
    }
}
