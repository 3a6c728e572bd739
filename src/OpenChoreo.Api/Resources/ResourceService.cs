using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Resources;

/// <summary>What an apply did, as reported to the client.</summary>
public enum ApplyOutcome { Created, Configured, Unchanged }

/// <summary>
/// The operations of the resource API, independent of HTTP: admission (defaulting and validation), the
/// organization-namespace rule, declarative apply and the status subresource. Endpoints and the bootstrapper call it.
/// </summary>
public sealed class ResourceService(IResourceStore store, IEnumerable<IAdmission> admissions, KindRegistry kinds)
{
    private readonly IAdmission[] _admissions = admissions.ToArray();

    public IResourceStore Store => store;

    public KindRegistry Kinds => kinds;

    /// <summary>Resolves the kind of a body, checking it is one the API serves.</summary>
    public ResourceKind KindOf(ResourceObject obj)
    {
        if (string.IsNullOrEmpty(obj.Kind))
        {
            throw new ApiException(400, StatusReasons.BadRequest, "Object 'Kind' is missing",
                [new StatusCause("kind", CauseReasons.Required, "Required value")]);
        }
        if (string.IsNullOrEmpty(obj.ApiVersion))
        {
            throw new ApiException(400, StatusReasons.BadRequest, "Object 'apiVersion' is missing",
                [new StatusCause("apiVersion", CauseReasons.Required, "Required value")]);
        }
        var kind = kinds.FindByKind(obj.Kind);
        if (kind is null)
        {
            throw new ApiException(400, StatusReasons.BadRequest,
                $"no kind \"{obj.Kind}\" is registered for version \"{obj.ApiVersion}\"",
                [new StatusCause("kind", CauseReasons.NotSupported, $"unknown kind \"{obj.Kind}\"")]);
        }
        if (kind.ApiVersion != obj.ApiVersion)
        {
            throw new ApiException(400, StatusReasons.BadRequest,
                $"no kind \"{obj.Kind}\" is registered for version \"{obj.ApiVersion}\"; it is served as \"{kind.ApiVersion}\"",
                [new StatusCause("apiVersion", CauseReasons.NotSupported, $"unsupported apiVersion \"{obj.ApiVersion}\"")]);
        }
        return kind;
    }

    public async Task<ResourceObject> GetAsync(ResourceKind kind, string ns, string name, CancellationToken ct) =>
        await store.GetAsync(new ResourceKey(kind.Kind, kind.Namespaced ? ns : "", name), ct)
        ?? throw ApiException.NotFound(kind.Plural + "." + kind.Group, name, kind.Namespaced ? ns : null);

    /// <summary>The object as its stored JSON text (no parse; for responses).</summary>
    public async Task<string> GetJsonAsync(ResourceKind kind, string ns, string name, CancellationToken ct) =>
        await store.GetJsonAsync(new ResourceKey(kind.Kind, kind.Namespaced ? ns : "", name), ct)
        ?? throw ApiException.NotFound(kind.Plural + "." + kind.Group, name, kind.Namespaced ? ns : null);

    public Task<ListResult> ListAsync(ResourceKind kind, string? ns, LabelSelector selector, CancellationToken ct) =>
        store.ListAsync(new ListOptions(kind.Kind, kind.Namespaced ? ns : null, selector), ct);

    public async Task<ResourceObject> CreateAsync(ResourceObject obj, ResourceKind kind, CancellationToken ct)
    {
        PrepareForCreate(obj, kind);
        await AdmitAsync(obj, null, kind, ct);
        await RequireNamespaceAsync(obj, kind, ct);
        return await store.CreateAsync(obj, ct);
    }

    /// <summary>A full replacement (PUT). The body must carry the resourceVersion it was read at.</summary>
    public async Task<ResourceObject> UpdateAsync(ResourceObject obj, ResourceKind kind, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(obj.ResourceVersion))
        {
            throw ApiException.Invalid(kind.Kind, obj.Name,
                [new StatusCause("metadata.resourceVersion", CauseReasons.Invalid, "must be specified for an update")]);
        }
        var old = await GetAsync(kind, obj.Namespace, obj.Name, ct);
        obj.Node.Remove("status");
        if (old.Status is not null) obj.Node["status"] = old.Status.DeepClone();
        await AdmitAsync(obj, old, kind, ct);
        return await store.UpdateAsync(obj, UpdateScope.Main, ct);
    }

    /// <summary>Replaces the status of an object (the status subresource); everything else of the body is ignored.</summary>
    public async Task<ResourceObject> UpdateStatusAsync(ResourceObject obj, ResourceKind kind, CancellationToken ct)
    {
        var old = await GetAsync(kind, obj.Namespace, obj.Name, ct);
        var merged = old.DeepClone();
        if (obj.Status is null) merged.Node.Remove("status");
        else merged.Node["status"] = obj.Status.DeepClone();
        if (!string.IsNullOrEmpty(obj.ResourceVersion)) merged.ResourceVersion = obj.ResourceVersion;
        var causes = await ValidateAsync(merged, old, kind, ct);
        if (causes.Count > 0) throw ApiException.Invalid(kind.Kind, obj.Name, causes);
        return await store.UpdateAsync(merged, UpdateScope.Status, ct);
    }

    /// <summary>
    /// Declarative apply: creates the object, or makes the stored one match the applied configuration. The applied
    /// labels and annotations are merged into the stored ones (keys set by controllers survive); every other top-level
    /// field but metadata and status is replaced. Applying the same document twice writes nothing.
    /// </summary>
    public async Task<(ResourceObject Object, ApplyOutcome Outcome)> ApplyAsync(ResourceObject applied, ResourceKind kind,
        CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var key = new ResourceKey(kind.Kind, kind.Namespaced ? applied.Namespace : "", applied.Name);
            var existing = await store.GetAsync(key, ct);
            if (existing is null)
            {
                try
                {
                    return (await CreateAsync(applied.DeepClone(), kind, ct), ApplyOutcome.Created);
                }
                catch (ApiException e) when (e.Reason == StatusReasons.AlreadyExists && attempt < 3)
                {
                    continue; // created concurrently: apply onto it
                }
            }
            var merged = MergeApplied(existing, applied);
            await AdmitAsync(merged, existing, kind, ct);
            if (JsonNode.DeepEquals(merged.Node, existing.Node)) return (existing, ApplyOutcome.Unchanged);
            try
            {
                var updated = await store.UpdateAsync(merged, UpdateScope.Main, ct);
                return (updated, updated.ResourceVersion == existing.ResourceVersion ? ApplyOutcome.Unchanged : ApplyOutcome.Configured);
            }
            catch (ApiException e) when (e.Reason == StatusReasons.Conflict && attempt < 3)
            {
                // Changed between our read and write: re-read and re-apply.
            }
        }
    }

    public async Task<ResourceObject> DeleteAsync(ResourceKind kind, string ns, string name, string? uid,
        string? resourceVersion, CancellationToken ct)
    {
        var key = new ResourceKey(kind.Kind, kind.Namespaced ? ns : "", name);
        return await store.DeleteAsync(key, uid, resourceVersion, ct)
            ?? throw ApiException.NotFound(kind.Plural + "." + kind.Group, name, kind.Namespaced ? ns : null);
    }

    /// <summary>Runs defaulting and validation, throwing 422 Invalid with every cause.</summary>
    public async Task AdmitAsync(ResourceObject obj, ResourceObject? old, ResourceKind kind, CancellationToken ct)
    {
        foreach (var a in _admissions) a.Default(obj, kind);
        var causes = await ValidateAsync(obj, old, kind, ct);
        if (causes.Count > 0) throw ApiException.Invalid(kind.Kind, obj.Name, causes);
    }

    private async Task<List<StatusCause>> ValidateAsync(ResourceObject obj, ResourceObject? old, ResourceKind kind,
        CancellationToken ct)
    {
        var causes = new List<StatusCause>();
        foreach (var a in _admissions) causes.AddRange(await a.ValidateAsync(obj, old, kind, ct));
        return causes;
    }

    private static void PrepareForCreate(ResourceObject obj, ResourceKind kind)
    {
        if (!kind.Namespaced && !string.IsNullOrEmpty(obj.Namespace))
        {
            throw ApiException.Invalid(kind.Kind, obj.Name,
                [new StatusCause("metadata.namespace", CauseReasons.Forbidden,
                    $"not allowed on this type: {kind.Kind} is cluster-scoped")]);
        }
        // With a status subresource, status is written only by the status route.
        if (kind.StatusSubresource) obj.Node.Remove("status");
        obj.ResourceVersion = null;
    }

    private async Task RequireNamespaceAsync(ResourceObject obj, ResourceKind kind, CancellationToken ct)
    {
        if (!kind.Namespaced) return;
        var org = await store.GetAsync(new ResourceKey("Organization", "", obj.Namespace), ct);
        if (org is null)
        {
            throw new ApiException(404, StatusReasons.NotFound,
                $"namespace \"{obj.Namespace}\" not found: create Organization \"{obj.Namespace}\" first (an organization is the namespace of its resources)",
                kind: "Organization", name: obj.Namespace);
        }
        if (org.DeletionTimestamp is not null)
        {
            throw ApiException.Forbidden(
                $"{kind.Kind} \"{obj.Name}\" is forbidden: unable to create new content in namespace {obj.Namespace} because it is being terminated");
        }
    }

    private static ResourceObject MergeApplied(ResourceObject existing, ResourceObject applied)
    {
        var merged = existing.DeepClone();
        foreach (var (k, _) in existing.Node.ToArray())
        {
            if (k is not ("apiVersion" or "kind" or "metadata" or "status") && !applied.Node.ContainsKey(k))
            {
                merged.Node.Remove(k);
            }
        }
        foreach (var (k, v) in applied.Node)
        {
            if (k is "metadata" or "status") continue;
            merged.Node[k] = v?.DeepClone();
        }
        foreach (var (k, v) in applied.Labels) merged.SetLabel(k, v);
        foreach (var (k, v) in applied.Annotations) merged.SetAnnotation(k, v);
        if (applied.Metadata["finalizers"] is JsonArray) merged.SetFinalizers(applied.Finalizers);
        if (applied.Metadata["ownerReferences"] is JsonArray) merged.SetOwnerReferences(applied.OwnerReferences);
        return merged;
    }
}
