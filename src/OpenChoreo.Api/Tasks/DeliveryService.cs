using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenChoreo.Api.Resources;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Tasks;

/// <summary>
/// The developer verbs (deploy, promote, rollback, undeploy/suspend/resume, approve/reject) as writes to ReleaseBindings
/// and Promotions. Controllers turn the bindings into Releases; these only decide what each binding should point at.
/// Every check runs before the first write, so a refused request changes nothing.
/// </summary>
public sealed partial class DeliveryService(ResourceService resources, ApprovalPolicy approvals, TimeProvider time,
    ILogger<DeliveryService> logger)
{
    public const string PromotionKind = "Promotion";

    /// <summary>When a verb last changed the binding's release (for the AGE column of status).</summary>
    public const string ReleasedAtAnnotation = "openchoreo.dev/released-at";

    private IResourceStore Store => resources.Store;

    private ResourceKind Kind(string kind) => resources.Kinds.FindByKind(kind)
        ?? throw new InvalidOperationException($"kind {kind} is not registered");

    /// <summary>A component with the project and pipeline it is delivered through.</summary>
    internal sealed record Target(ResourceObject Component, string Project, PipelineGraph Pipeline)
    {
        public string Name => Component.Name;
        public string Namespace => Component.Namespace;
    }

    // ---- deploy -------------------------------------------------------------------------------------------------

    public async Task<TaskResult> DeployAsync(string ns, string component, string? env, string? release, CancellationToken ct)
    {
        var t = await LoadAsync(ns, component, ct);
        env ??= t.Pipeline.Root ?? throw Unprocessable($"DeploymentPipeline \"{t.Pipeline.Name}\" has no promotion paths, so it has no first environment", "env");
        RequireEnvironment(t, env, "env");
        if (t.Pipeline.IsGated(env))
        {
            throw Unprocessable($"environment \"{env}\" requires approval in DeploymentPipeline \"{t.Pipeline.Name}\": reach it with promote, not deploy", "env");
        }
        release ??= (string?)t.Component.Status?["latestRelease"]?["name"]
            ?? throw new ApiException(409, StatusReasons.Conflict,
                $"component \"{component}\" has no release yet (status.latestRelease is empty): wait for the component controller or name a release");
        await RequireReleaseOfAsync(t, release, "release", ct);
        var (binding, result) = await BindAsync(t, env, release, ct);
        LogDeployed(logger, ns, component, release, env);
        return new TaskResult("deploy", component, env, release, binding.Name, result, result == TaskResult.Unchanged
            ? $"{release} is already deployed to {env} (releasebinding {binding.Name} unchanged)"
            : $"deployed {release} to {env} (releasebinding {binding.Name} {result})");
    }

    // ---- promote ------------------------------------------------------------------------------------------------

    public async Task<TaskResult> PromoteAsync(string ns, string component, string? from, string? to, string user, CancellationToken ct)
    {
        var missing = new List<StatusCause>();
        if (string.IsNullOrEmpty(from)) missing.Add(new StatusCause("from", CauseReasons.Required, "the source environment is required"));
        if (string.IsNullOrEmpty(to)) missing.Add(new StatusCause("to", CauseReasons.Required, "the target environment is required"));
        if (missing.Count > 0) throw new ApiException(422, StatusReasons.Invalid, $"promote needs {string.Join(" and ", missing.Select(m => m.Field))}", missing);
        var t = await LoadAsync(ns, component, ct);
        var edge = t.Pipeline.FindEdge(from!, to!);
        if (edge is null)
        {
            var allowed = t.Pipeline.TargetsOf(from!).ToArray();
            throw Unprocessable(
                $"cannot promote \"{component}\" from {from} to {to}: DeploymentPipeline \"{t.Pipeline.Name}\" has no promotion path {from} → {to} " +
                (allowed.Length > 0 ? $"(from {from} it allows: {string.Join(", ", allowed)})" : $"({from} is not the source of any path)"), "to");
        }
        var source = await FindBindingAsync(t, from!, ct);
        var release = (string?)source?.Spec?["releaseName"];
        if (string.IsNullOrEmpty(release))
        {
            throw Unprocessable($"cannot promote \"{component}\" from {from}: no release is bound there (deploy it to {from} first)", "from");
        }
        await RequireReleaseOfAsync(t, release, "from", ct);
        if (edge.RequiresApproval)
        {
            // Nothing to approve when the target already runs this release.
            var target = await FindBindingAsync(t, to!, ct);
            if (target is not null && Str(target.Spec, "releaseName") == release)
            {
                return new TaskResult("promote", component, to, release, target.Name, TaskResult.Unchanged,
                    $"{release} is already deployed to {to} (releasebinding {target.Name} unchanged)");
            }
            return await RequestApprovalAsync(t, edge, release, user, ct);
        }
        var (binding, result) = await BindAsync(t, to!, release, ct);
        LogPromoted(logger, ns, component, release, from!, to!);
        return new TaskResult("promote", component, to, release, binding.Name, result, result == TaskResult.Unchanged
            ? $"{release} is already deployed to {to} (releasebinding {binding.Name} unchanged)"
            : $"promoted {release} from {from} to {to} (releasebinding {binding.Name} {result})");
    }

    private async Task<TaskResult> RequestApprovalAsync(Target t, PromotionEdge edge, string release, string user, CancellationToken ct)
    {
        // Asking twice for the same move returns the request already waiting.
        var waiting = (await Store.ListAsync(new ListOptions(PromotionKind, t.Namespace) { Filter = p =>
            Str(p.Spec, "component") == t.Name && Str(p.Spec, "from") == edge.From && Str(p.Spec, "to") == edge.To &&
            Str(p.Spec, "releaseName") == release && Str(p.Status, "phase") == "Pending" }, ct)).Items.FirstOrDefault();
        if (waiting is not null)
        {
            return new TaskResult("promote", t.Name, edge.To, release, null, TaskResult.Pending,
                $"promotion pending approval: {waiting.Name} (already requested by {Str(waiting.Spec, "requestedBy")})", waiting.Name);
        }
        var kind = Kind(PromotionKind);
        var prefix = $"{t.Name}-{edge.To}";
        if (prefix.Length > 50) prefix = prefix[..50].TrimEnd('-');
        var promotion = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = PromotionKind,
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}",
                ["namespace"] = t.Namespace,
                ["labels"] = new JsonObject { [Labels.Project] = t.Project, [Labels.Component] = t.Name, [Labels.Environment] = edge.To },
            },
            ["spec"] = new JsonObject
            {
                ["component"] = t.Name,
                ["project"] = t.Project,
                ["from"] = edge.From,
                ["to"] = edge.To,
                ["releaseName"] = release,
                ["requestedBy"] = user,
            },
        });
        // Owned by the component, so deleting the component removes its requests too.
        promotion.SetOwnerReferences([OwnerReference.ControlledBy(t.Component)]);
        var created = await resources.CreateAsync(promotion, kind, ct);
        created.Node["status"] = new JsonObject { ["phase"] = "Pending" };
        created = await resources.UpdateStatusAsync(created, kind, ct);
        LogRequested(logger, t.Namespace, created.Name, release, edge.From, edge.To);
        return new TaskResult("promote", t.Name, edge.To, release, null, TaskResult.Pending,
            $"promotion pending approval: {created.Name} ({release} from {edge.From} to {edge.To}; approve with 'occ approve {created.Name}')", created.Name);
    }

    // ---- approve / reject ---------------------------------------------------------------------------------------

    public async Task<TaskResult> ApproveAsync(string ns, string name, string user, string? reason, CancellationToken ct)
    {
        var kind = Kind(PromotionKind);
        var promotion = await resources.GetAsync(kind, ns, name, ct);
        RequirePending(promotion);
        await approvals.CheckApproverAsync(promotion, user, ct);
        var component = Str(promotion.Spec, "component") ?? "";
        var (from, to, release) = (Str(promotion.Spec, "from") ?? "", Str(promotion.Spec, "to") ?? "", Str(promotion.Spec, "releaseName") ?? "");
        var t = await LoadAsync(ns, component, ct);
        if (t.Pipeline.FindEdge(from, to) is null)
        {
            throw new ApiException(409, StatusReasons.Conflict,
                $"promotion \"{name}\" can no longer be applied: DeploymentPipeline \"{t.Pipeline.Name}\" no longer has a promotion path {from} → {to}");
        }
        await RequireReleaseOfAsync(t, release, "spec.releaseName", ct);
        // Claim the request first: with its resourceVersion pinned, only one of two concurrent approvers gets past here.
        var claimed = await DecideAsync(promotion, "Approved", user, reason, ct);
        ResourceObject binding;
        string result;
        try
        {
            (binding, result) = await BindAsync(t, to, release, ct);
        }
        catch (ApiException)
        {
            // The binding could not be written: hand the request back so it can be approved again.
            claimed.Node["status"] = new JsonObject { ["phase"] = "Pending" };
            await resources.UpdateStatusAsync(claimed, kind, CancellationToken.None);
            throw;
        }
        claimed.Node["status"]!["phase"] = "Applied";
        await resources.UpdateStatusAsync(claimed, kind, ct);
        LogApproved(logger, ns, name, user);
        return new TaskResult("approve", component, to, release, binding.Name, result,
            $"promotion {name} approved: {release} deployed to {to} (releasebinding {binding.Name} {result})", name);
    }

    public async Task<TaskResult> RejectAsync(string ns, string name, string user, string? reason, CancellationToken ct)
    {
        var promotion = await resources.GetAsync(Kind(PromotionKind), ns, name, ct);
        RequirePending(promotion);
        await DecideAsync(promotion, "Rejected", user, reason, ct);
        LogRejected(logger, ns, name, user);
        return new TaskResult("reject", Str(promotion.Spec, "component") ?? "", Str(promotion.Spec, "to"), Str(promotion.Spec, "releaseName"), null,
            TaskResult.Rejected, $"promotion {name} rejected; {Str(promotion.Spec, "to")} is unchanged", name);
    }

    private static void RequirePending(ResourceObject promotion)
    {
        var phase = Str(promotion.Status, "phase");
        if (phase == "Pending") return;
        throw new ApiException(409, StatusReasons.Conflict, phase is null
            ? $"promotion \"{promotion.Name}\" was not requested through promote (it has no status.phase) and cannot be decided"
            : $"promotion \"{promotion.Name}\" is already {phase}", kind: "promotions", name: promotion.Name);
    }

    private async Task<ResourceObject> DecideAsync(ResourceObject promotion, string phase, string user, string? reason, CancellationToken ct)
    {
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["decidedBy"] = user,
            ["decidedAt"] = ResourceObject.FormatTime(time.GetUtcNow()),
        };
        if (!string.IsNullOrEmpty(reason)) status["reason"] = reason;
        var update = promotion.DeepClone();
        update.Node["status"] = status;
        return await resources.UpdateStatusAsync(update, Kind(PromotionKind), ct);
    }

    // ---- rollback -----------------------------------------------------------------------------------------------

    public async Task<TaskResult> RollbackAsync(string ns, string component, string? env, string? to, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(env)) throw Required("env", "the environment to roll back is required");
        var t = await LoadAsync(ns, component, ct);
        RequireEnvironment(t, env, "env");
        var binding = await FindBindingAsync(t, env, ct);
        var current = (string?)binding?.Spec?["releaseName"];
        if (binding is null || string.IsNullOrEmpty(current))
        {
            throw Unprocessable($"cannot roll back \"{component}\" in {env}: no release is bound there", "env");
        }
        string target;
        if (!string.IsNullOrEmpty(to))
        {
            await RequireReleaseOfAsync(t, to, "to", ct);
            target = to;
        }
        else
        {
            target = await PreviousReleaseAsync(t, current, ct)
                ?? throw new ApiException(409, StatusReasons.Conflict,
                    $"cannot roll back \"{component}\" in {env}: it has no release older than {current}");
        }
        var (updated, result) = await BindAsync(t, env, target, ct);
        LogRolledBack(logger, ns, component, env, current, target);
        return new TaskResult("rollback", component, env, target, updated.Name, result, result == TaskResult.Unchanged
            ? $"{target} is already deployed to {env} (releasebinding {updated.Name} unchanged)"
            : $"rolled back {component} in {env} from {current} to {target} (releasebinding {updated.Name} {result})");
    }

    /// <summary>
    /// The newest release of the component created before <paramref name="current"/> (creation time, then store
    /// revision to order releases made in the same second). When the current one is unknown, the newest other one.
    /// </summary>
    private async Task<string?> PreviousReleaseAsync(Target t, string current, CancellationToken ct)
    {
        var all = (await Store.ListAsync(new ListOptions("ComponentRelease", t.Namespace) { Filter = r => IsReleaseOf(r, t) }, ct)).Items
            .OrderBy(r => r.CreationTimestamp ?? DateTimeOffset.MinValue)
            .ThenBy(r => long.TryParse(r.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .ToList();
        var index = all.FindIndex(r => r.Name == current);
        var older = index >= 0 ? all.Take(index) : all;
        return older.LastOrDefault(r => r.Name != current)?.Name;
    }

    // ---- undeploy / suspend / resume ----------------------------------------------------------------------------

    public async Task<TaskResult> SetStateAsync(string ns, string component, string? env, string state, CancellationToken ct)
    {
        var verb = state switch { "Undeploy" => "undeploy", "Suspend" => "suspend", _ => "resume" };
        if (string.IsNullOrEmpty(env)) throw Required("env", $"the environment to {verb} is required");
        var t = await LoadAsync(ns, component, ct);
        RequireEnvironment(t, env, "env");
        var kind = Kind("ReleaseBinding");
        for (var attempt = 0; ; attempt++)
        {
            var binding = await FindBindingAsync(t, env, ct)
                ?? throw Unprocessable($"cannot {verb} \"{component}\" in {env}: it has no releasebinding there (deploy it first)", "env");
            var now = (string?)binding.Spec?["state"] ?? "Active";
            var done = state switch { "Undeploy" => "undeployed", "Suspend" => "suspended", _ => "resumed" };
            if (now == state)
            {
                return new TaskResult(verb, component, env, Str(binding.Spec, "releaseName"), binding.Name, TaskResult.Unchanged,
                    $"{component} in {env} is already {(state == "Active" ? "active" : done)} (releasebinding {binding.Name} unchanged)");
            }
            binding.Spec!["state"] = state;
            try
            {
                var updated = await resources.UpdateAsync(binding, kind, ct);
                LogState(logger, ns, component, env, state);
                return new TaskResult(verb, component, env, Str(updated.Spec, "releaseName"), updated.Name, TaskResult.Updated,
                    $"{done} {component} in {env} (releasebinding {updated.Name} state {now} → {state})");
            }
            catch (ApiException e) when (e.Code == 409 && attempt < 3)
            {
                // A controller wrote the binding in between: read it again.
            }
        }
    }

    // ---- status -------------------------------------------------------------------------------------------------

    public async Task<JsonObject> StatusAsync(string ns, string component, CancellationToken ct)
    {
        var t = await LoadAsync(ns, component, ct);
        var bindings = (await Store.ListAsync(new ListOptions("ReleaseBinding", ns) { Filter = b => IsBindingOf(b, t) }, ct)).Items;
        var releases = (await Store.ListAsync(new ListOptions("Release", ns) { Filter = r => Str(r.Spec, "owner", "componentName") == t.Name }, ct)).Items;
        var pending = (await Store.ListAsync(new ListOptions(PromotionKind, ns) { Filter = p =>
            Str(p.Spec, "component") == t.Name && Str(p.Status, "phase") == "Pending" }, ct)).Items;
        var rows = new JsonArray();
        var ports = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var env in t.Pipeline.Environments)
        {
            var binding = Preferred(bindings.Where(b => Str(b.Spec, "environment") == env), $"{t.Name}-{env}");
            var row = new JsonObject { ["environment"] = env };
            if (binding is not null)
            {
                var ready = Conditions.Get(binding, "Ready");
                var release = Preferred(releases.Where(r => Str(r.Spec, "environmentName") == env), binding.Name);
                row["binding"] = binding.Name;
                row["releaseName"] = Str(binding.Spec, "releaseName");
                row["state"] = Str(binding.Spec, "state") ?? "Active";
                row["ready"] = ready?.Status;
                row["reason"] = ready?.Reason;
                row["message"] = ready?.Message;
                row["url"] = release is null ? null : UrlOf(release, await HttpsPortOfAsync(release, ns, ports, ct));
                row["since"] = binding.Annotations.GetValueOrDefault(ReleasedAtAnnotation)
                    ?? (binding.CreationTimestamp is { } c ? ResourceObject.FormatTime(c) : null);
            }
            else
            {
                row["state"] = "NotDeployed";
            }
            var waiting = pending.Where(p => Str(p.Spec, "to") == env).Select(p => (JsonNode?)p.Name).ToArray();
            if (waiting.Length > 0) row["pendingPromotions"] = new JsonArray(waiting);
            rows.Add(row);
        }
        return new JsonObject
        {
            ["kind"] = "ComponentDeliveryStatus",
            ["apiVersion"] = "v1",
            ["component"] = t.Name,
            ["namespace"] = ns,
            ["project"] = t.Project,
            ["pipeline"] = t.Pipeline.Name,
            ["latestRelease"] = Str(t.Component.Status, "latestRelease", "name"),
            ["environments"] = rows,
        };
    }

    /// <summary>
    /// DataPlane annotation: the port its gateway serves HTTPS on when that is not 443 (<c>openchoreo up</c> sets it), so
    /// the URLs in <c>occ status</c> can be opened as printed.
    /// </summary>
    public const string PublicHttpsPortAnnotation = "openchoreo.dev/public-https-port";

    /// <summary>The HTTPS port annotated on the Release's DataPlane (looked up once per plane); null for the default 443.</summary>
    private async Task<int?> HttpsPortOfAsync(ResourceObject release, string ns, Dictionary<string, int?> cache, CancellationToken ct)
    {
        if (!release.Labels.TryGetValue(Labels.DataPlane, out var plane)) return null;
        if (cache.TryGetValue(plane, out var known)) return known;
        var dp = await Store.GetAsync(new ResourceKey("DataPlane", ns, plane), ct);
        int? port = dp is not null && dp.Annotations.TryGetValue(PublicHttpsPortAnnotation, out var text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535 and not 443 ? p : null;
        return cache[plane] = port;
    }

    /// <summary>The first HTTPRoute of a Release: https://host[:port] + the first path match (or "/").</summary>
    internal static string? UrlOf(ResourceObject release, int? httpsPort = null)
    {
        foreach (var r in (release.Spec?["resources"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (r["object"] is not JsonObject o || (string?)o["kind"] != "HTTPRoute") continue;
            var host = (o["spec"]?["hostnames"] as JsonArray)?.Select(h => (string?)h).FirstOrDefault(h => !string.IsNullOrEmpty(h));
            if (host is null) continue;
            var path = (string?)o["spec"]?["rules"]?[0]?["matches"]?[0]?["path"]?["value"] ?? "/";
            return $"https://{host}{(httpsPort is { } port ? ":" + port.ToString(CultureInfo.InvariantCulture) : "")}{(path.StartsWith('/') ? path : "/" + path)}";
        }
        return null;
    }

    // ---- shared -------------------------------------------------------------------------------------------------

    internal async Task<Target> LoadAsync(string ns, string name, CancellationToken ct)
    {
        var component = await resources.GetAsync(Kind("Component"), ns, name, ct);
        if (component.DeletionTimestamp is not null)
        {
            throw new ApiException(409, StatusReasons.Conflict, $"component \"{name}\" is being deleted", kind: "components", name: name);
        }
        var project = Str(component.Spec, "owner", "projectName") ?? "";
        var projectObj = await Store.GetAsync(new ResourceKey("Project", ns, project), ct)
            ?? throw new ApiException(409, StatusReasons.Conflict, $"component \"{name}\" belongs to project \"{project}\", which does not exist in namespace \"{ns}\"");
        var pipelineName = Str(projectObj.Spec, "deploymentPipelineRef") ?? "";
        var pipeline = await Store.GetAsync(new ResourceKey("DeploymentPipeline", ns, pipelineName), ct)
            ?? throw new ApiException(409, StatusReasons.Conflict, $"project \"{project}\" uses DeploymentPipeline \"{pipelineName}\", which does not exist in namespace \"{ns}\"");
        return new Target(component, project, PipelineGraph.From(pipeline));
    }

    private static void RequireEnvironment(Target t, string env, string field)
    {
        if (t.Pipeline.Contains(env)) return;
        throw Unprocessable($"environment \"{env}\" is not in DeploymentPipeline \"{t.Pipeline.Name}\" (its environments: {string.Join(", ", t.Pipeline.Environments)})", field);
    }

    /// <summary>The release must exist and be a snapshot of this component: binding another component's release is refused.</summary>
    private async Task RequireReleaseOfAsync(Target t, string release, string field, CancellationToken ct)
    {
        var obj = await Store.GetAsync(new ResourceKey("ComponentRelease", t.Namespace, release), ct)
            ?? throw Unprocessable($"ComponentRelease \"{release}\" not found in namespace \"{t.Namespace}\"", field);
        if (!IsReleaseOf(obj, t))
        {
            throw Unprocessable(
                $"ComponentRelease \"{release}\" belongs to component \"{Str(obj.Spec, "owner", "componentName")}\" of project \"{Str(obj.Spec, "owner", "projectName")}\", not to \"{t.Name}\" of project \"{t.Project}\"", field);
        }
    }

    private static bool IsReleaseOf(ResourceObject release, Target t) =>
        Str(release.Spec, "owner", "componentName") == t.Name && Str(release.Spec, "owner", "projectName") == t.Project;

    private static bool IsBindingOf(ResourceObject binding, Target t) =>
        Str(binding.Spec, "owner", "componentName") == t.Name && Str(binding.Spec, "owner", "projectName") == t.Project;

    private async Task<ResourceObject?> FindBindingAsync(Target t, string env, CancellationToken ct)
    {
        var list = await Store.ListAsync(new ListOptions("ReleaseBinding", t.Namespace) { Filter = b => IsBindingOf(b, t) && Str(b.Spec, "environment") == env }, ct);
        return Preferred(list.Items, $"{t.Name}-{env}");
    }

    /// <summary>The object with the conventional name if there is one, else the oldest.</summary>
    private static ResourceObject? Preferred(IEnumerable<ResourceObject> items, string name) =>
        items.OrderBy(o => o.Name == name ? 0 : 1).ThenBy(o => o.CreationTimestamp ?? DateTimeOffset.MaxValue).FirstOrDefault();

    /// <summary>
    /// Points the component's binding for <paramref name="env"/> at <paramref name="release"/>, creating
    /// <c>&lt;component&gt;-&lt;env&gt;</c> the way the component controller does when there is none.
    /// </summary>
    private async Task<(ResourceObject Binding, string Result)> BindAsync(Target t, string env, string release, CancellationToken ct)
    {
        var kind = Kind("ReleaseBinding");
        var now = ResourceObject.FormatTime(time.GetUtcNow());
        for (var attempt = 0; ; attempt++)
        {
            var existing = await FindBindingAsync(t, env, ct);
            try
            {
                if (existing is null)
                {
                    var binding = new ResourceObject(new JsonObject
                    {
                        ["apiVersion"] = kind.ApiVersion,
                        ["kind"] = kind.Kind,
                        ["metadata"] = new JsonObject
                        {
                            ["name"] = $"{t.Name}-{env}",
                            ["namespace"] = t.Namespace,
                            ["labels"] = new JsonObject { [Labels.Project] = t.Project, [Labels.Component] = t.Name, [Labels.Environment] = env },
                            ["annotations"] = new JsonObject { [ReleasedAtAnnotation] = now },
                        },
                        ["spec"] = new JsonObject
                        {
                            ["owner"] = new JsonObject { ["projectName"] = t.Project, ["componentName"] = t.Name },
                            ["environment"] = env,
                            ["releaseName"] = release,
                        },
                    });
                    binding.SetOwnerReferences([OwnerReference.ControlledBy(t.Component)]);
                    return (await resources.CreateAsync(binding, kind, ct), TaskResult.Created);
                }
                if (Str(existing.Spec, "releaseName") == release) return (existing, TaskResult.Unchanged);
                existing.Spec!["releaseName"] = release;
                existing.SetAnnotation(ReleasedAtAnnotation, now);
                return (await resources.UpdateAsync(existing, kind, ct), TaskResult.Updated);
            }
            catch (ApiException e) when ((e.Reason == StatusReasons.Conflict || e.Reason == StatusReasons.AlreadyExists) && attempt < 3)
            {
                // Written concurrently (e.g. by the component controller): read it again and re-apply.
            }
        }
    }

    private static ApiException Unprocessable(string message, string field) =>
        new(422, StatusReasons.Invalid, message, [new StatusCause(field, CauseReasons.Invalid, message)]);

    private static ApiException Required(string field, string message) =>
        new(422, StatusReasons.Invalid, message, [new StatusCause(field, CauseReasons.Required, message)]);

    internal static string? Str(JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = node is JsonObject o ? o[p] : null;
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "{Namespace}/{Component}: deployed {Release} to {Environment}")]
    private static partial void LogDeployed(ILogger logger, string @namespace, string component, string release, string environment);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "{Namespace}/{Component}: promoted {Release} from {From} to {To}")]
    private static partial void LogPromoted(ILogger logger, string @namespace, string component, string release, string from, string to);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "{Namespace}: promotion {Promotion} of {Release} from {From} to {To} waits for approval")]
    private static partial void LogRequested(ILogger logger, string @namespace, string promotion, string release, string from, string to);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Information, Message = "{Namespace}: promotion {Promotion} approved by {User}")]
    private static partial void LogApproved(ILogger logger, string @namespace, string promotion, string user);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Information, Message = "{Namespace}: promotion {Promotion} rejected by {User}")]
    private static partial void LogRejected(ILogger logger, string @namespace, string promotion, string user);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Information, Message = "{Namespace}/{Component}: rolled back {Environment} from {From} to {To}")]
    private static partial void LogRolledBack(ILogger logger, string @namespace, string component, string environment, string from, string to);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Information, Message = "{Namespace}/{Component}: {Environment} state set to {State}")]
    private static partial void LogState(ILogger logger, string @namespace, string component, string environment, string state);
}
