using Microsoft.Extensions.Logging;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers;

/// <summary>
/// Project controller: a Ready condition (DeploymentPipelineNotFound) and an orderly teardown. The finalizer
/// <see cref="Finalizer"/> holds a deleting Project until none of its Components, Workloads, ComponentReleases,
/// ReleaseBindings or Releases (matched by <c>spec.owner.projectName</c>) is left. Components go at once; their
/// releases and bindings are owned by them and collected, and Releases are deleted here too in case nothing owns them.
/// <para>How the wait ends: everything but a Release goes as soon as it is deleted (no finalizers); a Release goes when
/// the delivery side has removed its objects from the plane, or gives it up as Orphaned when the plane is gone.</para>
/// </summary>
public sealed partial class ProjectReconciler(IResourceStore store, TimeProvider time, ILogger<ProjectReconciler> logger) : IReconciler
{
    public const string Finalizer = "openchoreo.dev/project-cleanup";

    private static readonly TimeSpan TeardownPoll = TimeSpan.FromSeconds(2);

    /// <summary>What a project holds, in the order teardown deletes it (owners before what they own).</summary>
    private static readonly string[] Contents = ["Component", "Workload", "ReleaseBinding", "ComponentRelease", "Release"];

    public string Name => "project";

    public string Kind => "Project";

    /// <summary>This controller is the only writer of Project status; its own status write need not wake it.</summary>
    public bool IgnoresStatusOnlyChanges => true;

    public IReadOnlyList<SecondaryWatch> Watches =>
    [
        new("DeploymentPipeline", async (dp, s, ct) => (await s.ListAsync(new ListOptions(Kind, dp.Namespace)
            { Filter = p => Lookups.Str(p.Spec, "deploymentPipelineRef") == dp.Name }, ct)).Items.Select(ResourceKey.Of)),
        .. Contents.Select(kind => new SecondaryWatch(kind, (o, s, ct) => IfDeletingAsync(s, o.Namespace, Lookups.Str(o.Spec, "owner", "projectName"), ct))),
    ];

    private async Task<IEnumerable<ResourceKey>> IfDeletingAsync(IResourceStore s, string ns, string? project, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(project)) return [];
        var key = new ResourceKey(Kind, ns, project);
        return await s.GetAsync(key, ct) is { DeletionTimestamp: not null } ? [key] : [];
    }

    public async Task<ReconcileResult> ReconcileAsync(ResourceKey key, CancellationToken ct)
    {
        var project = await store.GetAsync(key, ct);
        if (project is null) return ReconcileResult.Done;
        try
        {
            return project.DeletionTimestamp is null ? await ReconcileLiveAsync(project, ct) : await TeardownAsync(project, ct);
        }
        catch (ApiException e) when (e.Code == 409)
        {
            return ReconcileResult.After(TimeSpan.FromMilliseconds(50));
        }
    }

    private async Task<ReconcileResult> ReconcileLiveAsync(ResourceObject project, CancellationToken ct)
    {
        project = await Finalizers.EnsureAsync(store, project, Finalizer, ct);
        var pipelineName = Lookups.Str(project.Spec, "deploymentPipelineRef") ?? "";
        var ready = await store.GetAsync(new ResourceKey("DeploymentPipeline", project.Namespace, pipelineName), ct) is null
            ? new Condition("Ready", Condition.False, "DeploymentPipelineNotFound", $"DeploymentPipeline \"{pipelineName}\" not found in namespace \"{project.Namespace}\"")
            : new Condition("Ready", Condition.True, "Ready", $"promotes along DeploymentPipeline \"{pipelineName}\"");
        await StatusWriter.SetAsync(store, project, time.GetUtcNow(), ct, ready);
        return ReconcileResult.Done;
    }

    private async Task<ReconcileResult> TeardownAsync(ResourceObject project, CancellationToken ct)
    {
        if (!project.Finalizers.Contains(Finalizer)) return ReconcileResult.Done;
        var remaining = 0;
        foreach (var kind in Contents)
        {
            remaining += await Finalizers.DeleteAllAsync(store, kind, project.Namespace,
                o => Lookups.Str(o.Spec, "owner", "projectName") == project.Name, ct);
        }
        if (remaining > 0)
        {
            LogTeardownWaiting(logger, project.ToString(), remaining);
            return ReconcileResult.After(TeardownPoll);
        }
        await Finalizers.RemoveAsync(store, project, Finalizer, ct);
        LogTeardownDone(logger, project.ToString());
        return ReconcileResult.Done;
    }

    [LoggerMessage(EventId = 3140, Level = LogLevel.Debug, Message = "{Project}: deleting; waiting for {Count} object(s) to go")]
    private static partial void LogTeardownWaiting(ILogger logger, string project, int count);

    [LoggerMessage(EventId = 3141, Level = LogLevel.Information, Message = "{Project}: nothing left; finalizer removed")]
    private static partial void LogTeardownDone(ILogger logger, string project);
}
