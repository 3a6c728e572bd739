using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers.Tests;

/// <summary>
/// Plays the delivery side (Release controller + data-plane agent) at the store boundary, as the contract describes
/// it: a cleanup finalizer on Releases, and per-resource health plus a Ready condition in <c>Release.status</c>.
/// </summary>
public sealed class SimulatedDeliverySide(IResourceStore store)
{
    public const string Finalizer = "openchoreo.dev/dataplane-cleanup";

    /// <summary>Takes charge of a Release: from now on deleting it waits for <see cref="FinishCleanupAsync"/>.</summary>
    public Task AdoptAsync(string release, CancellationToken ct) => WriteAsync(release, UpdateScope.Main, r =>
    {
        if (!r.Finalizers.Contains(Finalizer)) r.SetFinalizers([.. r.Finalizers, Finalizer]);
    }, ct);

    /// <summary>The plane has removed the Release's objects: the finalizer goes (and with it the deleting Release).</summary>
    public Task FinishCleanupAsync(string release, CancellationToken ct) => WriteAsync(release, UpdateScope.Main, r =>
        r.SetFinalizers(r.Finalizers.Where(f => f != Finalizer)), ct);

    /// <summary>
    /// Reports every resource of the Release's current spec: <paramref name="health"/> by kind (others Healthy), and a
    /// Ready condition observed at the Release's generation.
    /// </summary>
    public Task ReportAsync(string release, IReadOnlyDictionary<string, string> health, CancellationToken ct,
        string readyReason = "Delivered", string readyStatus = Condition.True) => WriteAsync(release, UpdateScope.Status, r =>
    {
        var resources = new JsonArray();
        foreach (var res in ((JsonArray?)r.Spec?["resources"] ?? []).OfType<JsonObject>())
        {
            var obj = (JsonObject)res["object"]!;
            var apiVersion = (string?)obj["apiVersion"] ?? "";
            var slash = apiVersion.IndexOf('/');
            var kind = (string?)obj["kind"] ?? "";
            resources.Add(new JsonObject
            {
                ["id"] = (string?)res["id"],
                ["group"] = slash < 0 ? "" : apiVersion[..slash],
                ["version"] = slash < 0 ? apiVersion : apiVersion[(slash + 1)..],
                ["kind"] = kind,
                ["name"] = (string?)obj["metadata"]?["name"],
                ["namespace"] = (string?)obj["metadata"]?["namespace"],
                ["healthStatus"] = health.TryGetValue(kind, out var h) ? h : "Healthy",
                ["lastObservedTime"] = ResourceObject.FormatTime(DateTimeOffset.UtcNow),
            });
        }
        var status = r.Node["status"] as JsonObject ?? (JsonObject)(r.Node["status"] = new JsonObject());
        status["resources"] = resources;
        Conditions.Set(r, new Condition("Ready", readyStatus, readyReason, "simulated delivery", r.Generation), DateTimeOffset.UtcNow);
    }, ct);

    private async Task WriteAsync(string release, UpdateScope scope, Action<ResourceObject> edit, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var r = await store.GetAsync(new ResourceKey("Release", "default", release), ct)
                ?? throw new InvalidOperationException($"Release {release} not found");
            edit(r);
            try
            {
                await store.UpdateAsync(r, scope, ct);
                return;
            }
            catch (ApiException e) when (e.Code == 409 && attempt < 20)
            {
            }
        }
    }
}
