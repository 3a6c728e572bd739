using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers;

/// <summary>
/// Component controller (upstream semantics, inventory §1.7): checks what the component refers to, snapshots
/// {ComponentType spec, traits, component profile, workload} into an immutable ComponentRelease named
/// <c>&lt;component&gt;-&lt;hash&gt;</c>, records it as <c>status.latestRelease</c> and, with autoDeploy, points the
/// root environment's ReleaseBinding <c>&lt;component&gt;-&lt;env&gt;</c> at it. Releases and bindings are owned by the
/// component, so deleting it removes them (upstream leaves them behind).
/// </summary>
public sealed partial class ComponentReconciler(IResourceStore store, TimeProvider time, ILogger<ComponentReconciler> logger) : IReconciler
{
    public const string ReadyCondition = "Ready";

    public string Name => "component";

    public string Kind => "Component";

    public IReadOnlyList<SecondaryWatch> Watches =>
    [
        new("Workload", (w, _, _) => Task.FromResult<IEnumerable<ResourceKey>>(
            Lookups.Str(w.Spec, "owner", "componentName") is { } c ? [new ResourceKey(Kind, w.Namespace, c)] : [])),
        new("ComponentType", (ct, s, token) => ComponentsInNamespace(s, ct.Namespace, c => Lookups.ParseComponentType(Lookups.Str(c.Spec, "componentType"))?.Name == ct.Name, token)),
        new("Trait", (t, s, token) => ComponentsInNamespace(s, t.Namespace, c => (c.Spec?["traits"] as JsonArray)?.OfType<JsonObject>().Any(x => Lookups.Str(x, "name") == t.Name) == true, token)),
        new("Project", (p, s, token) => ComponentsInNamespace(s, p.Namespace, c => Lookups.Str(c.Spec, "owner", "projectName") == p.Name, token), IgnoreStatusOnly: true),
        new("DeploymentPipeline", (dp, s, token) => ComponentsInNamespace(s, dp.Namespace, _ => true, token)),
        // A binding the user applied (without an owner, or re-applied without spec.releaseName, e.g. one carrying only
        // environment overrides) is adopted, and gets the latest release when its component deploys automatically.
        new("ReleaseBinding", (rb, _, _) => Task.FromResult<IEnumerable<ResourceKey>>(
            (string.IsNullOrEmpty(Lookups.Str(rb.Spec, "releaseName")) || rb.OwnerReferences.Count == 0) && Lookups.Str(rb.Spec, "owner", "componentName") is { } c
                ? [new ResourceKey(Kind, rb.Namespace, c)] : [])),
    ];

    private static async Task<IEnumerable<ResourceKey>> ComponentsInNamespace(IResourceStore s, string ns, Func<ResourceObject, bool> match, CancellationToken ct) =>
        (await s.ListAsync(new ListOptions("Component", ns) { Filter = match }, ct)).Items.Select(ResourceKey.Of);

    public async Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct)
    {
        var component = await store.GetAsync(key, ct);
        if (component is null || component.DeletionTimestamp is not null) return ReconcileResult.Done;
        try
        {
            return await ReconcileComponentAsync(component, ct);
        }
        catch (ApiException e) when (e.Code == 409)
        {
            return ReconcileResult.After(TimeSpan.FromMilliseconds(50)); // a concurrent write: look again
        }
    }

    private async Task<ReconcileResult> ReconcileComponentAsync(ResourceObject component, CancellationToken ct)
    {
        var ns = component.Namespace;
        var spec = component.Spec as JsonObject ?? new JsonObject();
        var projectName = Lookups.Str(spec, "owner", "projectName") ?? "";
        var typeRef = Lookups.ParseComponentType(Lookups.Str(spec, "componentType"));
        if (typeRef is null)
        {
            // Legacy components with only spec.type are not reconciled (upstream ignores them too).
            return await NotReady(component, "InvalidConfiguration", "spec.componentType is not set; legacy spec.type components are not supported", ct);
        }
        var componentType = await store.GetAsync(new ResourceKey("ComponentType", ns, typeRef.Value.Name), ct);
        if (componentType is null)
        {
            return await NotReady(component, "ComponentTypeNotFound", $"ComponentType \"{typeRef.Value.Name}\" not found in namespace \"{ns}\"", ct);
        }
        var workloadType = Lookups.Str(componentType.Spec, "workloadType");
        if (workloadType != typeRef.Value.WorkloadType)
        {
            return await NotReady(component, "InvalidConfiguration",
                $"spec.componentType says workload type \"{typeRef.Value.WorkloadType}\" but ComponentType \"{componentType.Name}\" is a \"{workloadType}\"", ct);
        }
        var traits = new JsonObject();
        foreach (var t in (spec["traits"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var traitName = Lookups.Str(t, "name") ?? "";
            if (traits.ContainsKey(traitName)) continue;
            var trait = await store.GetAsync(new ResourceKey("Trait", ns, traitName), ct);
            if (trait is null) return await NotReady(component, "TraitNotFound", $"Trait \"{traitName}\" not found in namespace \"{ns}\"", ct);
            traits[traitName] = trait.Spec?.DeepClone() ?? new JsonObject();
        }
        var project = await store.GetAsync(new ResourceKey("Project", ns, projectName), ct);
        if (project is null) return await NotReady(component, "ProjectNotFound", $"Project \"{projectName}\" not found in namespace \"{ns}\"", ct);
        var pipelineName = Lookups.Str(project.Spec, "deploymentPipelineRef") ?? "";
        var pipeline = await store.GetAsync(new ResourceKey("DeploymentPipeline", ns, pipelineName), ct);
        if (pipeline is null)
        {
            return await NotReady(component, "DeploymentPipelineNotFound", $"DeploymentPipeline \"{pipelineName}\" of project \"{projectName}\" not found", ct);
        }
        var workloads = await Lookups.WorkloadsOfAsync(store, ns, projectName, component.Name, ct);
        if (workloads.Count == 0)
        {
            return await NotReady(component, "WorkloadNotFound", $"no Workload has spec.owner {{projectName: {projectName}, componentName: {component.Name}}}", ct);
        }
        if (workloads.Count > 1)
        {
            return await NotReady(component, "InvalidConfiguration",
                $"a component has exactly one Workload, but {workloads.Count} name it as owner: {string.Join(", ", workloads.Select(w => w.Name))}", ct);
        }
        var rootEnv = Lookups.RootEnvironment(pipeline);
        if (rootEnv is null)
        {
            return await NotReady(component, "InvalidConfiguration", $"DeploymentPipeline \"{pipelineName}\" has no promotion paths", ct);
        }

        var workloadSpec = (JsonObject)(workloads[0].Spec?.DeepClone() ?? new JsonObject());
        workloadSpec.Remove("owner");
        var snapshot = new JsonObject
        {
            ["owner"] = new JsonObject { ["projectName"] = projectName, ["componentName"] = component.Name },
            ["componentType"] = componentType.Spec?.DeepClone() ?? new JsonObject(),
            ["traits"] = traits,
            ["componentProfile"] = new JsonObject
            {
                ["parameters"] = spec["parameters"]?.DeepClone() ?? new JsonObject(),
                ["traits"] = spec["traits"]?.DeepClone() ?? new JsonArray(),
            },
            ["workload"] = workloadSpec,
        };
        var hash = ReleaseHash.Compute(snapshot);
        var releaseName = $"{component.Name}-{hash}";
        await EnsureReleaseAsync(component, releaseName, snapshot, ct);

        var autoDeploy = spec["autoDeploy"] is JsonValue ad && ad.TryGetValue<bool>(out var b) && b;
        if (autoDeploy) await EnsureBindingAsync(component, projectName, rootEnv, releaseName, ct);
        await AdoptBindingsAsync(component, ct);

        var latest = component.Status?["latestRelease"];
        if (Lookups.Str(latest, "name") != releaseName)
        {
            var status = component.Node["status"] as JsonObject ?? (JsonObject)(component.Node["status"] = new JsonObject());
            status["latestRelease"] = new JsonObject { ["name"] = releaseName, ["releaseHash"] = hash };
            LogNewRelease(logger, component.ToString(), releaseName);
        }
        await StatusWriter.SetAsync(store, component, time.GetUtcNow(), ct, new Condition(ReadyCondition, Condition.True,
            autoDeploy ? "ComponentReleaseReady" : "Reconciled",
            autoDeploy ? $"release {releaseName} is bound to {rootEnv}" : $"release {releaseName} is ready to deploy"));
        return ReconcileResult.Done;
    }

    private async Task EnsureReleaseAsync(ResourceObject component, string name, JsonObject snapshot, CancellationToken ct)
    {
        var key = new ResourceKey("ComponentRelease", component.Namespace, name);
        if (await store.GetAsync(key, ct) is not null) return; // immutable: same name means same content
        var release = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["kind"] = "ComponentRelease",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = component.Namespace,
                ["labels"] = new JsonObject
                {
                    [Labels.Project] = Lookups.Str(snapshot, "owner", "projectName"),
                    [Labels.Component] = component.Name,
                },
            },
            ["spec"] = snapshot.DeepClone(),
        });
        release.SetOwnerReferences([OwnerReference.ControlledBy(component)]);
        try
        {
            await store.CreateAsync(release, ct);
        }
        catch (ApiException e) when (e.Reason == StatusReasons.AlreadyExists)
        {
        }
    }

    /// <summary>
    /// Bindings applied for this component without an owner become its own, so deleting the component removes them (and
    /// what they deployed) like the bindings it created.
    /// </summary>
    private async Task AdoptBindingsAsync(ResourceObject component, CancellationToken ct)
    {
        var orphans = await store.ListAsync(new ListOptions("ReleaseBinding", component.Namespace)
        {
            Filter = b => b.OwnerReferences.Count == 0 && b.DeletionTimestamp is null && Lookups.Str(b.Spec, "owner", "componentName") == component.Name,
        }, ct);
        foreach (var binding in orphans.Items)
        {
            binding.SetOwnerReferences([OwnerReference.ControlledBy(component)]);
            await store.UpdateAsync(binding, UpdateScope.Main, ct);
        }
    }

    private async Task EnsureBindingAsync(ResourceObject component, string project, string env, string releaseName, CancellationToken ct)
    {
        var name = $"{component.Name}-{env}";
        var existing = await store.GetAsync(new ResourceKey("ReleaseBinding", component.Namespace, name), ct);
        if (existing is null)
        {
            // An environment in teardown deletes its bindings; re-creating one would only prolong the teardown.
            if (await store.GetAsync(new ResourceKey("Environment", component.Namespace, env), ct) is { DeletionTimestamp: not null }) return;
            var binding = new ResourceObject(new JsonObject
            {
                ["apiVersion"] = KindRegistry.GroupVersion,
                ["kind"] = "ReleaseBinding",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = component.Namespace,
                    ["labels"] = new JsonObject { [Labels.Project] = project, [Labels.Component] = component.Name, [Labels.Environment] = env },
                },
                ["spec"] = new JsonObject
                {
                    ["owner"] = new JsonObject { ["projectName"] = project, ["componentName"] = component.Name },
                    ["environment"] = env,
                    ["releaseName"] = releaseName,
                },
            });
            binding.SetOwnerReferences([OwnerReference.ControlledBy(component)]);
            await store.CreateAsync(binding, ct);
            return;
        }
        if (Lookups.Str(existing.Spec, "releaseName") == releaseName) return;
        existing.Spec!["releaseName"] = releaseName;
        await store.UpdateAsync(existing, UpdateScope.Main, ct);
    }

    private async Task<ReconcileResult> NotReady(ResourceObject component, string reason, string message, CancellationToken ct)
    {
        await StatusWriter.SetAsync(store, component, time.GetUtcNow(), ct, new Condition(ReadyCondition, Condition.False, reason, message));
        // References may appear later; the watches on them wake us, and a slow requeue is the safety net.
        return ReconcileResult.After(TimeSpan.FromMinutes(1));
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "{Component}: new release {Release}")]
    private static partial void LogNewRelease(ILogger logger, string component, string release);
}
