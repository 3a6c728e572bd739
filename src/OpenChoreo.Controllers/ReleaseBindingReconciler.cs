using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Naming;
using OpenChoreo.Rendering.Pipeline;
using OpenChoreo.Store;
using R = OpenChoreo.Controllers.ReleaseBindingReasons;

namespace OpenChoreo.Controllers;

/// <summary>
/// ReleaseBinding controller (upstream semantics, inventory §1.7): resolves ComponentRelease → Environment → DataPlane
/// and the live Component and Project, renders the ComponentRelease snapshot with the binding's overrides, and keeps
/// Release <c>&lt;component&gt;-&lt;env&gt;</c> (controlled by the binding, labelled with its DataPlane) equal to the
/// result. Any failure leaves the existing Release as it is. ResourcesReady comes from the health the delivery side
/// writes into the Release's status. <c>spec.state</c> (our extension): Suspend delivers the release scaled to zero,
/// Undeploy deletes the Release (the delivery side's finalizer takes it off the plane).
/// <para>Ours: the <c>targetPlane: observabilityplane</c> resources (upstream drops them) go into a second Release,
/// <see cref="ObservabilityReleaseNameOf"/>, with the same owner, spec owner/environment and tracking labels but
/// labelled with the ObservabilityPlane that the DataPlane's <c>spec.observabilityPlaneRef</c> names. Condition
/// <c>ObservabilityReleaseSynced</c> reports it (present only while the render has such resources); a missing link
/// leaves the data-plane part delivering. Ready stays about the data-plane part.</para>
/// </summary>
public sealed partial class ReleaseBindingReconciler(IResourceStore store, TimeProvider time, ILogger<ReleaseBindingReconciler> logger) : IReconciler
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(1);

    public string Name => "releasebinding";

    public string Kind => "ReleaseBinding";

    public IReadOnlyList<SecondaryWatch> Watches =>
    [
        new("ComponentRelease", (cr, s, ct) => BindingsIn(s, cr.Namespace, b => Lookups.Str(b.Spec, "releaseName") == cr.Name, ct)),
        new("Environment", (e, s, ct) => BindingsIn(s, e.Namespace, b => Lookups.Str(b.Spec, "environment") == e.Name, ct)),
        new("DataPlane", BindingsOfDataPlane),
        new("ObservabilityPlane", BindingsOfObservabilityPlane),
        new("Component", (c, s, ct) => BindingsIn(s, c.Namespace, b => Lookups.Str(b.Spec, "owner", "componentName") == c.Name, ct)),
        new("Project", (p, s, ct) => BindingsIn(s, p.Namespace, b => Lookups.Str(b.Spec, "owner", "projectName") == p.Name, ct), IgnoreStatusOnly: true),
        // Secret references are few and rarely change: every binding of the organization re-renders.
        new("SecretReference", (sr, s, ct) => BindingsIn(s, sr.Namespace, _ => true, ct)),
        new("Release", (r, _, _) => Task.FromResult<IEnumerable<ResourceKey>>(
            r.OwnerReferences.Where(o => o.Controller && o.Kind == Kind).Select(o => new ResourceKey(Kind, r.Namespace, o.Name)).ToArray())),
    ];

    private static async Task<IEnumerable<ResourceKey>> BindingsIn(IResourceStore s, string ns, Func<ResourceObject, bool> match, CancellationToken ct) =>
        (await s.ListAsync(new ListOptions("ReleaseBinding", ns) { Filter = match }, ct)).Items.Select(ResourceKey.Of);

    private static async Task<IEnumerable<ResourceKey>> BindingsOfDataPlane(ResourceObject dp, IResourceStore s, CancellationToken ct)
    {
        var envs = (await s.ListAsync(new ListOptions("Environment", dp.Namespace) { Filter = e => Lookups.Str(e.Spec, "dataPlaneRef") == dp.Name }, ct))
            .Items.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return envs.Count == 0 ? [] : await BindingsIn(s, dp.Namespace, b => envs.Contains(Lookups.Str(b.Spec, "environment") ?? ""), ct);
    }

    private static async Task<IEnumerable<ResourceKey>> BindingsOfObservabilityPlane(ResourceObject op, IResourceStore s, CancellationToken ct)
    {
        var planes = (await s.ListAsync(new ListOptions("DataPlane", op.Namespace) { Filter = d => Lookups.Str(d.Spec, "observabilityPlaneRef") == op.Name }, ct)).Items;
        var keys = new List<ResourceKey>();
        foreach (var dp in planes) keys.AddRange(await BindingsOfDataPlane(dp, s, ct));
        return keys;
    }

    /// <summary>The Release a binding produces: <c>&lt;component&gt;-&lt;environment&gt;</c>.</summary>
    public static string ReleaseNameOf(ResourceObject binding) =>
        $"{Lookups.Str(binding.Spec, "owner", "componentName")}-{Lookups.Str(binding.Spec, "environment")}";

    /// <summary>The Release holding a binding's observability-plane resources: <c>&lt;release&gt;-observability-&lt;hash8&gt;</c>.</summary>
    public static string ObservabilityReleaseNameOf(ResourceObject binding) => NameGenerator.Generate(ReleaseNameOf(binding), "observability");

    public async Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct)
    {
        var binding = await store.GetAsync(key, ct);
        // A deleting binding needs nothing: its Release is owned by it and goes with it.
        if (binding is null || binding.DeletionTimestamp is not null) return ReconcileResult.Done;
        try
        {
            return await ReconcileBindingAsync(binding, ct);
        }
        catch (ApiException e) when (e.Code == 409)
        {
            return ReconcileResult.After(TimeSpan.FromMilliseconds(50)); // a concurrent write: look again
        }
    }

    private async Task<ReconcileResult> ReconcileBindingAsync(ResourceObject binding, CancellationToken ct)
    {
        var ns = binding.Namespace;
        var spec = binding.Spec as JsonObject ?? new JsonObject();
        var state = Lookups.Str(spec, "state") ?? ReleaseStates.Active;
        var releaseKey = new ResourceKey("Release", ns, ReleaseNameOf(binding));
        var existing = await store.GetAsync(releaseKey, ct);
        var controller = existing?.OwnerReferences.FirstOrDefault(o => o.Controller);
        var ours = controller is not null && controller.Uid == binding.Uid;
        if (existing is not null && controller is not null && !ours)
        {
            LogOwnershipConflict(logger, binding.ToString(), existing.Name);
            return await Failed(binding, null, R.ReleaseOwnershipConflict,
                $"Release \"{existing.Name}\" exists and is controlled by {controller.Kind} \"{controller.Name}\"", ct);
        }

        if (state == ReleaseStates.Undeploy)
        {
            await DeleteObservabilityReleaseAsync(binding, ct);
            return await UndeployAsync(binding, ours ? existing : null, ct);
        }

        var crName = Lookups.Str(spec, "releaseName");
        var cr = string.IsNullOrEmpty(crName) ? null : await store.GetAsync(new ResourceKey("ComponentRelease", ns, crName), ct);
        if (cr is null)
        {
            return await Failed(binding, existing, R.ComponentReleaseNotFound,
                string.IsNullOrEmpty(crName) ? "spec.releaseName is not set" : $"ComponentRelease \"{crName}\" not found in namespace \"{ns}\"", ct);
        }
        var componentName = Lookups.Str(spec, "owner", "componentName") ?? "";
        var projectName = Lookups.Str(spec, "owner", "projectName") ?? "";
        if (Lookups.Str(cr.Spec, "owner", "componentName") is { } crComponent && crComponent != componentName)
        {
            return await Failed(binding, existing, R.ComponentReleaseMismatch,
                $"ComponentRelease \"{cr.Name}\" belongs to component \"{crComponent}\", not \"{componentName}\"", ct);
        }
        var envName = Lookups.Str(spec, "environment") ?? "";
        var env = await store.GetAsync(new ResourceKey("Environment", ns, envName), ct);
        if (env is null) return await Failed(binding, existing, R.EnvironmentNotFound, $"Environment \"{envName}\" not found in namespace \"{ns}\"", ct);
        if (env.DeletionTimestamp is not null)
            return await Failed(binding, existing, R.EnvironmentDeleting, $"Environment \"{envName}\" is being deleted", ct);
        var dpName = Lookups.Str(env.Spec, "dataPlaneRef");
        if (string.IsNullOrEmpty(dpName))
            return await Failed(binding, existing, R.DataPlaneNotConfigured, $"Environment \"{envName}\" has no spec.dataPlaneRef", ct);
        var dataPlane = await store.GetAsync(new ResourceKey("DataPlane", ns, dpName), ct);
        if (dataPlane is null)
            return await Failed(binding, existing, R.DataPlaneNotFound, $"DataPlane \"{dpName}\" of Environment \"{envName}\" not found in namespace \"{ns}\"", ct);
        var component = await store.GetAsync(new ResourceKey("Component", ns, componentName), ct);
        if (component is null) return await Failed(binding, existing, R.ComponentNotFound, $"Component \"{componentName}\" not found in namespace \"{ns}\"", ct);
        var project = await store.GetAsync(new ResourceKey("Project", ns, projectName), ct);
        if (project is null) return await Failed(binding, existing, R.ProjectNotFound, $"Project \"{projectName}\" not found in namespace \"{ns}\"", ct);
        var secretRefs = (await store.ListAsync(new ListOptions("SecretReference", ns), ct)).Items;

        RenderResult render;
        try
        {
            render = ComponentRenderer.Default.Render(ReleaseBindingRender.Input(binding, cr, env, dataPlane, component, project, secretRefs));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            render = new RenderResult([], [new StatusCause("", CauseReasons.Invalid, e.Message)]);
        }
        if (!render.Succeeded)
        {
            LogRenderFailed(logger, binding.ToString(), render.Errors.Count);
            return await Failed(binding, existing, R.RenderingFailed,
                string.Join("; ", render.Errors), ct);
        }
        if (existing?.DeletionTimestamp is not null)
        {
            // Back from Undeploy (or a GC in flight): the old Release must leave the plane before a new one is made.
            return await Failed(binding, existing, R.ReleaseDeleting, $"waiting for the previous Release \"{existing.Name}\" to be removed", ct,
                TimeSpan.FromSeconds(5));
        }

        var suspend = state == ReleaseStates.Suspend;
        var desiredSpec = new JsonObject
        {
            ["owner"] = new JsonObject { ["projectName"] = projectName, ["componentName"] = componentName },
            ["environmentName"] = envName,
            ["resources"] = ReleaseBindingRender.Resources(render.DataPlaneResources, suspend),
        };
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Labels.Organization] = ns,
            [Labels.Project] = projectName,
            [Labels.Component] = componentName,
            [Labels.Environment] = envName,
            [Labels.DataPlane] = dataPlane.Name,
        };
        var (release, action) = await ApplyReleaseAsync(binding, releaseKey, existing, desiredSpec, labels, ct);
        var observability = await SyncObservabilityAsync(binding, render, dataPlane, desiredSpec, labels, suspend, ct);
        var synced = new Condition(R.ReleaseSynced, Condition.True, action == "created" ? R.ReleaseCreated : R.ReleaseSynced,
            $"Release \"{release.Name}\" {action} from ComponentRelease \"{cr.Name}\"{(suspend ? " (suspended)" : "")}");
        var resources = ReleaseHealth.Evaluate(release, Lookups.Str(cr.Spec, "componentType", "workloadType"));
        var ready = resources.IsTrue
            ? new Condition(R.Ready, Condition.True, suspend ? R.Suspended : R.Ready,
                suspend ? $"suspended in {envName}: {resources.Message}" : $"ready in {envName}: {resources.Message}")
            : new Condition(R.Ready, Condition.False, resources.Reason, resources.Message);
        await StatusWriter.SetAsync(store, binding, time.GetUtcNow(), observability is null ? [R.ObservabilityReleaseSynced] : [], ct,
            [synced, resources, ready, .. observability is null ? Array.Empty<Condition>() : [observability]]);
        // Release status changes wake us through the watch; the requeue is a safety net while things settle.
        return resources.IsTrue ? ReconcileResult.Done : ReconcileResult.After(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Keeps the observability Release equal to the render's observability-plane resources (deleting it when there are
    /// none); returns the ObservabilityReleaseSynced condition, or null when there is nothing to report.
    /// </summary>
    private async Task<Condition?> SyncObservabilityAsync(ResourceObject binding, RenderResult render, ResourceObject dataPlane,
        JsonObject dataPlaneSpec, Dictionary<string, string> dataPlaneLabels, bool suspend, CancellationToken ct)
    {
        var ns = binding.Namespace;
        var key = new ResourceKey("Release", ns, ObservabilityReleaseNameOf(binding));
        var wanted = render.ObservabilityPlaneResources.ToList();
        if (wanted.Count == 0)
        {
            await DeleteObservabilityReleaseAsync(binding, ct);
            return null;
        }
        var existing = await store.GetAsync(key, ct);
        var controller = existing?.OwnerReferences.FirstOrDefault(o => o.Controller);
        if (existing is not null && controller is not null && controller.Uid != binding.Uid)
        {
            LogOwnershipConflict(logger, binding.ToString(), existing.Name);
            return new Condition(R.ObservabilityReleaseSynced, Condition.False, R.ReleaseOwnershipConflict,
                $"Release \"{existing.Name}\" exists and is controlled by {controller.Kind} \"{controller.Name}\"");
        }
        var undelivered = $"{wanted.Count} observability-plane resource(s) are not delivered";
        var opName = Lookups.Str(dataPlane.Spec, "observabilityPlaneRef");
        if (string.IsNullOrEmpty(opName))
        {
            LogObservabilityUndelivered(logger, binding.ToString(), wanted.Count, R.ObservabilityPlaneNotConfigured);
            return new Condition(R.ObservabilityReleaseSynced, Condition.False, R.ObservabilityPlaneNotConfigured,
                $"DataPlane \"{dataPlane.Name}\" has no spec.observabilityPlaneRef; {undelivered}");
        }
        if (await store.GetAsync(new ResourceKey("ObservabilityPlane", ns, opName), ct) is null)
        {
            LogObservabilityUndelivered(logger, binding.ToString(), wanted.Count, R.ObservabilityPlaneNotFound);
            return new Condition(R.ObservabilityReleaseSynced, Condition.False, R.ObservabilityPlaneNotFound,
                $"ObservabilityPlane \"{opName}\" of DataPlane \"{dataPlane.Name}\" not found in namespace \"{ns}\"; {undelivered}");
        }
        if (existing?.DeletionTimestamp is not null)
        {
            return new Condition(R.ObservabilityReleaseSynced, Condition.False, R.ReleaseDeleting,
                $"waiting for the previous Release \"{existing.Name}\" to be removed");
        }
        var spec = (JsonObject)dataPlaneSpec.DeepClone();
        spec["resources"] = ReleaseBindingRender.Resources(wanted, suspend);
        var labels = new Dictionary<string, string>(dataPlaneLabels, StringComparer.Ordinal);
        labels.Remove(Labels.DataPlane);
        labels[Labels.ObservabilityPlane] = opName;
        var (release, action) = await ApplyReleaseAsync(binding, key, existing, spec, labels, ct);
        return new Condition(R.ObservabilityReleaseSynced, Condition.True, action == "created" ? R.ReleaseCreated : R.ReleaseSynced,
            $"Release \"{release.Name}\" {action} for ObservabilityPlane \"{opName}\"");
    }

    /// <summary>Deletes the binding's observability Release if it exists and the binding controls it.</summary>
    private async Task DeleteObservabilityReleaseAsync(ResourceObject binding, CancellationToken ct)
    {
        var release = await store.GetAsync(new ResourceKey("Release", binding.Namespace, ObservabilityReleaseNameOf(binding)), ct);
        if (release is null || release.DeletionTimestamp is not null || !release.OwnerReferences.Any(o => o.Controller && o.Uid == binding.Uid)) return;
        await store.DeleteAsync(ResourceKey.Of(release), expectedUid: release.Uid, ct: ct);
        LogReleaseDeleted(logger, binding.ToString(), release.Name);
    }

    /// <summary>Creates the Release or brings its managed fields (spec owner/environment/resources, labels, controller) up to date.</summary>
    private async Task<(ResourceObject Release, string Action)> ApplyReleaseAsync(ResourceObject binding, ResourceKey key, ResourceObject? existing,
        JsonObject desiredSpec, Dictionary<string, string> labels, CancellationToken ct)
    {
        if (existing is null)
        {
            var release = new ResourceObject(new JsonObject
            {
                ["apiVersion"] = KindRegistry.GroupVersion,
                ["kind"] = "Release",
                ["metadata"] = new JsonObject { ["name"] = key.Name, ["namespace"] = key.Namespace },
                ["spec"] = desiredSpec,
            });
            foreach (var (k, v) in labels) release.SetLabel(k, v);
            release.SetOwnerReferences([OwnerReference.ControlledBy(binding)]);
            var created = await store.CreateAsync(release, ct);
            LogReleaseCreated(logger, binding.ToString(), key.Name);
            return (created, "created");
        }
        var changed = false;
        var spec = existing.Spec as JsonObject ?? (JsonObject)(existing.Node["spec"] = new JsonObject());
        foreach (var (field, value) in desiredSpec)
        {
            if (ReleaseHash.Canonical(spec[field]) == ReleaseHash.Canonical(value)) continue;
            spec[field] = value!.DeepClone();
            changed = true;
        }
        foreach (var (k, v) in labels)
        {
            if (existing.Labels.TryGetValue(k, out var cur) && cur == v) continue;
            existing.SetLabel(k, v);
            changed = true;
        }
        if (!existing.OwnerReferences.Any(o => o.Controller && o.Uid == binding.Uid))
        {
            existing.SetOwnerReferences([.. existing.OwnerReferences, OwnerReference.ControlledBy(binding)]); // adopt an uncontrolled Release
            changed = true;
        }
        if (!changed) return (existing, "is up to date");
        var updated = await store.UpdateAsync(existing, UpdateScope.Main, ct);
        LogReleaseUpdated(logger, binding.ToString(), key.Name);
        return (updated, "updated");
    }

    private async Task<ReconcileResult> UndeployAsync(ResourceObject binding, ResourceObject? release, CancellationToken ct)
    {
        if (release is not null && release.DeletionTimestamp is null)
        {
            await store.DeleteAsync(ResourceKey.Of(release), expectedUid: release.Uid, ct: ct);
            LogReleaseDeleted(logger, binding.ToString(), release.Name);
        }
        var message = release is null ? "undeployed: no Release exists" : $"undeploying: Release \"{release.Name}\" is being removed from the data plane";
        await StatusWriter.SetAsync(store, binding, time.GetUtcNow(), ct,
            new Condition(R.ReleaseSynced, Condition.False, R.Undeployed, message),
            new Condition(R.ResourcesReady, Condition.False, R.Undeployed, message),
            new Condition(R.Ready, Condition.False, R.Undeployed, message));
        // The Release's deletion event wakes us to update the message.
        return ReconcileResult.Done;
    }

    /// <summary>
    /// Reports a failure to sync without touching the Release: ReleaseSynced and Ready carry the reason, ResourcesReady
    /// keeps describing whatever Release is still delivered.
    /// </summary>
    private async Task<ReconcileResult> Failed(ResourceObject binding, ResourceObject? release, string reason, string message, CancellationToken ct,
        TimeSpan? retry = null)
    {
        var workloadType = release is null ? null : await WorkloadTypeOfAsync(binding, ct);
        await StatusWriter.SetAsync(store, binding, time.GetUtcNow(), ct,
            new Condition(R.ReleaseSynced, Condition.False, reason, message),
            ReleaseHealth.Evaluate(release, workloadType),
            new Condition(R.Ready, Condition.False, reason, message));
        // References may appear later; the watches on them wake us, and a slow requeue is the safety net.
        return ReconcileResult.After(retry ?? Slow);
    }

    private async Task<string?> WorkloadTypeOfAsync(ResourceObject binding, CancellationToken ct)
    {
        var name = Lookups.Str(binding.Spec, "releaseName");
        if (string.IsNullOrEmpty(name)) return null;
        var cr = await store.GetAsync(new ResourceKey("ComponentRelease", binding.Namespace, name), ct);
        return Lookups.Str(cr?.Spec, "componentType", "workloadType");
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "{Binding}: created release {Release}")]
    private static partial void LogReleaseCreated(ILogger logger, string binding, string release);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "{Binding}: updated release {Release}")]
    private static partial void LogReleaseUpdated(ILogger logger, string binding, string release);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "{Binding}: undeploy, deleted release {Release}")]
    private static partial void LogReleaseDeleted(ILogger logger, string binding, string release);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "{Binding}: rendering failed with {Count} error(s); the release is left unchanged")]
    private static partial void LogRenderFailed(ILogger logger, string binding, int count);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "{Binding}: release {Release} is controlled by another object")]
    private static partial void LogOwnershipConflict(ILogger logger, string binding, string release);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Debug, Message = "{Binding}: {Count} observability-plane resource(s) are not delivered ({Reason})")]
    private static partial void LogObservabilityUndelivered(ILogger logger, string binding, int count, string reason);
}
