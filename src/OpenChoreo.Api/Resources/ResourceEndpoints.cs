using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OpenChoreo.Api.Http;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Api.Resources;

/// <summary>
/// The Kubernetes-shaped REST routes (DESIGN §3):
/// <c>/apis/openchoreo.dev/v1alpha1/namespaces/{ns}/{plural}[/{name}[/status]]</c>, the same without the namespace
/// for cluster-scoped kinds and for lists across every namespace, and discovery under <c>/apis</c>.
/// </summary>
public static class ResourceEndpoints
{
    public const string Prefix = "/apis/" + KindRegistry.GroupVersion;
    public const string ApplyOutcomeHeader = "X-OpenChoreo-Apply";

    public static IEndpointRouteBuilder MapResourceApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/apis", Discovery.Groups);
        app.MapGet(Prefix, Discovery.Resources);

        // Every namespace (or cluster-scoped kinds).
        app.MapGet(Prefix + "/{plural}", (HttpContext c, string plural) => ListOrWatch(c, plural, null));
        app.MapPost(Prefix + "/{plural}", (HttpContext c, string plural) => Create(c, plural, null));
        app.MapGet(Prefix + "/{plural}/{name}", (HttpContext c, string plural, string name) => Get(c, plural, null, name));
        app.MapPut(Prefix + "/{plural}/{name}", (HttpContext c, string plural, string name) => Replace(c, plural, null, name));
        app.MapPatch(Prefix + "/{plural}/{name}", (HttpContext c, string plural, string name) => Patch(c, plural, null, name));
        app.MapDelete(Prefix + "/{plural}/{name}", (HttpContext c, string plural, string name) => Delete(c, plural, null, name));
        app.MapGet(Prefix + "/{plural}/{name}/status", (HttpContext c, string plural, string name) => Get(c, plural, null, name));
        app.MapPut(Prefix + "/{plural}/{name}/status", (HttpContext c, string plural, string name) => ReplaceStatus(c, plural, null, name));

        // One namespace.
        const string ns = Prefix + "/namespaces/{ns}/{plural}";
        app.MapGet(ns, (HttpContext c, string ns, string plural) => ListOrWatch(c, plural, ns));
        app.MapPost(ns, (HttpContext c, string ns, string plural) => Create(c, plural, ns));
        app.MapGet(ns + "/{name}", (HttpContext c, string ns, string plural, string name) => Get(c, plural, ns, name));
        app.MapPut(ns + "/{name}", (HttpContext c, string ns, string plural, string name) => Replace(c, plural, ns, name));
        app.MapPatch(ns + "/{name}", (HttpContext c, string ns, string plural, string name) => Patch(c, plural, ns, name));
        app.MapDelete(ns + "/{name}", (HttpContext c, string ns, string plural, string name) => Delete(c, plural, ns, name));
        app.MapGet(ns + "/{name}/status", (HttpContext c, string ns, string plural, string name) => Get(c, plural, ns, name));
        app.MapPut(ns + "/{name}/status", (HttpContext c, string ns, string plural, string name) => ReplaceStatus(c, plural, ns, name));
        return app;
    }

    private static ResourceService Service(HttpContext c) => c.RequestServices.GetRequiredService<ResourceService>();

    private static ApiOptions Options(HttpContext c) => c.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;

    private static ResourceKind ResolveRoute(HttpContext c, string plural, string? ns)
    {
        var kind = Service(c).Kinds.FindByPlural(plural)
            ?? throw new ApiException(404, StatusReasons.NotFound,
                $"the server could not find the requested resource: \"{plural}\" is not a resource of {KindRegistry.GroupVersion}");
        if (ns is not null && !kind.Namespaced)
        {
            throw new ApiException(404, StatusReasons.NotFound, $"{kind.Plural} are cluster-scoped and have no namespace");
        }
        return kind;
    }

    /// <summary>For a namespaced kind addressed without a namespace, only listing across namespaces makes sense.</summary>
    private static void RequireNamespace(ResourceKind kind, string? ns)
    {
        if (kind.Namespaced && ns is null)
        {
            throw ApiException.BadRequest($"{kind.Plural} are namespaced: use {Prefix}/namespaces/{{namespace}}/{kind.Plural}");
        }
    }

    private static async Task ListOrWatch(HttpContext c, string plural, string? ns)
    {
        var kind = ResolveRoute(c, plural, ns);
        var q = c.Request.Query;
        if (!LabelSelector.TryParse(q["labelSelector"], out var selector, out var error)) throw ApiException.BadRequest(error!);
        var filter = FieldSelector.Parse(q["fieldSelector"]);
        if (q["watch"] is var w && (w == "true" || w == "1"))
        {
            await WatchStream.RunAsync(c, Service(c), kind, ns, selector, filter, q["resourceVersion"], Options(c));
            return;
        }
        var options = new ListOptions(kind.Kind, kind.Namespaced ? ns : null, selector) { Filter = filter };
        if (BodyCodec.WantsYaml(c.Request))
        {
            var list = await Service(c).Store.ListAsync(options, c.RequestAborted);
            CheckListSize(c, list.Items.Count);
            await WriteList(c, kind, list);
            return;
        }
        // JSON: the stored text of each object goes out as is, without a parse and a DOM per item.
        var json = await Service(c).Store.ListJsonAsync(options, c.RequestAborted);
        CheckListSize(c, json.Items.Count);
        await BodyCodec.WriteJsonListAsync(c, kind.ApiVersion, kind.ListKind, json.ResourceVersion, json.Items);
    }

    private static void CheckListSize(HttpContext c, int count)
    {
        if (count > Options(c).MaxListItems)
        {
            throw new ApiException(413, StatusReasons.RequestEntityTooLarge,
                $"the list has {count} items, more than the limit of {Options(c).MaxListItems}: narrow it with a namespace or label selector");
        }
    }

    private static Task WriteList(HttpContext c, ResourceKind kind, ListResult list)
    {
        var items = new JsonArray();
        foreach (var o in list.Items) items.Add(o.Node);
        var body = new JsonObject
        {
            ["apiVersion"] = kind.ApiVersion,
            ["kind"] = kind.ListKind,
            ["metadata"] = new JsonObject { ["resourceVersion"] = list.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["items"] = items,
        };
        return BodyCodec.WriteAsync(c, body);
    }

    private static async Task Get(HttpContext c, string plural, string? ns, string name)
    {
        var kind = ResolveRoute(c, plural, ns);
        RequireNamespace(kind, ns);
        if (BodyCodec.WantsYaml(c.Request))
        {
            var obj = await Service(c).GetAsync(kind, ns ?? "", name, c.RequestAborted);
            await BodyCodec.WriteAsync(c, obj.Node);
            return;
        }
        await BodyCodec.WriteJsonTextAsync(c, await Service(c).GetJsonAsync(kind, ns ?? "", name, c.RequestAborted));
    }

    private static async Task<ResourceObject> ReadBody(HttpContext c, ResourceKind kind, string? ns, string? name)
    {
        var obj = await BodyCodec.ReadObjectAsync(c, Options(c).MaxRequestBodyBytes);
        var bodyKind = Service(c).KindOf(obj);
        if (bodyKind.Kind != kind.Kind)
        {
            throw ApiException.BadRequest($"the body is a {bodyKind.Kind} but the URL is for {kind.Plural}");
        }
        if (ns is not null)
        {
            if (string.IsNullOrEmpty(obj.Namespace)) obj.Namespace = ns;
            else if (obj.Namespace != ns)
            {
                throw ApiException.BadRequest($"the namespace of the object ({obj.Namespace}) does not match the namespace of the URL ({ns})");
            }
        }
        if (name is not null)
        {
            if (string.IsNullOrEmpty(obj.Name)) obj.Name = name;
            else if (obj.Name != name)
            {
                throw ApiException.BadRequest($"the name of the object ({obj.Name}) does not match the name in the URL ({name})");
            }
        }
        return obj;
    }

    private static async Task Create(HttpContext c, string plural, string? ns)
    {
        var kind = ResolveRoute(c, plural, ns);
        RequireNamespace(kind, ns);
        var obj = await ReadBody(c, kind, ns, null);
        var created = await Service(c).CreateAsync(obj, kind, c.RequestAborted);
        await BodyCodec.WriteAsync(c, created.Node, StatusCodes.Status201Created);
    }

    private static async Task Replace(HttpContext c, string plural, string? ns, string name)
    {
        var kind = ResolveRoute(c, plural, ns);
        RequireNamespace(kind, ns);
        var obj = await ReadBody(c, kind, ns, name);
        var updated = await Service(c).UpdateAsync(obj, kind, c.RequestAborted);
        await BodyCodec.WriteAsync(c, updated.Node);
    }

    private static async Task ReplaceStatus(HttpContext c, string plural, string? ns, string name)
    {
        var kind = ResolveRoute(c, plural, ns);
        RequireNamespace(kind, ns);
        var obj = await ReadBody(c, kind, ns, name);
        var updated = await Service(c).UpdateStatusAsync(obj, kind, c.RequestAborted);
        await BodyCodec.WriteAsync(c, updated.Node);
    }

    /// <summary>
    /// PATCH with <c>application/apply-patch+yaml</c> (or <c>+json</c>) is a declarative apply that creates the object
    /// when absent; <c>application/merge-patch+json</c> is an RFC 7386 merge patch of an existing object.
    /// </summary>
    private static async Task Patch(HttpContext c, string plural, string? ns, string name)
    {
        var kind = ResolveRoute(c, plural, ns);
        RequireNamespace(kind, ns);
        var contentType = c.Request.ContentType ?? "";
        var service = Service(c);
        if (contentType.StartsWith("application/apply-patch", StringComparison.OrdinalIgnoreCase))
        {
            var obj = await ReadBody(c, kind, ns, name);
            var (result, outcome) = await service.ApplyAsync(obj, kind, c.RequestAborted);
            c.Response.Headers[ApplyOutcomeHeader] = outcome.ToString().ToLowerInvariant();
            await BodyCodec.WriteAsync(c, result.Node, outcome == ApplyOutcome.Created ? 201 : 200);
            return;
        }
        if (!contentType.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(415, StatusReasons.UnsupportedMediaType,
                $"unsupported patch type \"{contentType}\": use application/merge-patch+json or application/apply-patch+yaml");
        }
        var text = await BodyCodec.ReadTextAsync(c, Options(c).MaxRequestBodyBytes);
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiException.BadRequest($"the patch is not valid JSON: {e.Message}");
        }
        for (var attempt = 0; ; attempt++)
        {
            var current = await service.GetAsync(kind, ns ?? "", name, c.RequestAborted);
            var patched = new ResourceObject(MergePatch.Apply(current.Node.DeepClone(), patch) as JsonObject
                ?? throw ApiException.BadRequest("the patch must keep the object an object"));
            if (patched.Name != name || patched.Namespace != current.Namespace || patched.Kind != current.Kind)
            {
                throw ApiException.BadRequest("a patch cannot change kind, name or namespace");
            }
            if (string.IsNullOrEmpty(patched.ResourceVersion)) patched.ResourceVersion = current.ResourceVersion;
            try
            {
                var updated = await service.UpdateAsync(patched, kind, c.RequestAborted);
                await BodyCodec.WriteAsync(c, updated.Node);
                return;
            }
            catch (ApiException e) when (e.Reason == StatusReasons.Conflict && attempt < 3 && patch?["metadata"]?["resourceVersion"] is null)
            {
                // The patch did not pin a resourceVersion: re-read and re-apply it.
            }
        }
    }

    private static async Task Delete(HttpContext c, string plural, string? ns, string name)
    {
        var kind = ResolveRoute(c, plural, ns);
        RequireNamespace(kind, ns);
        string? uid = null, rv = null;
        if (c.Request.ContentLength > 0)
        {
            var text = await BodyCodec.ReadTextAsync(c, Options(c).MaxRequestBodyBytes);
            try
            {
                var pre = JsonNode.Parse(text)?["preconditions"];
                uid = (string?)pre?["uid"];
                rv = (string?)pre?["resourceVersion"];
            }
            catch (System.Text.Json.JsonException e)
            {
                throw ApiException.BadRequest($"the delete options are not valid JSON: {e.Message}");
            }
        }
        var last = await Service(c).DeleteAsync(kind, ns ?? "", name, uid, rv, c.RequestAborted);
        if (last.DeletionTimestamp is not null && last.Finalizers.Count > 0)
        {
            await BodyCodec.WriteAsync(c, last.Node, StatusCodes.Status202Accepted);
            return;
        }
        await BodyCodec.WriteAsync(c, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = new JsonObject { ["name"] = name, ["kind"] = kind.Plural, ["uid"] = last.Uid },
        });
    }

    private static T GetRequiredService<T>(this IServiceProvider sp) where T : notnull =>
        (T)(sp.GetService(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered"));
}
