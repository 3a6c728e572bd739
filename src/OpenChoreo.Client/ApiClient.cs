using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Client;

/// <summary>A change seen by a watch.</summary>
public sealed record WatchNotification(string Type, ResourceObject Object);

/// <summary>
/// HTTP client for the resource API. Server certificates are verified against the context's CA (or the system store);
/// verification is never turned off. Failures surface as <see cref="ApiException"/> rebuilt from the Status body.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private const string Prefix = "/apis/" + KindRegistry.GroupVersion;
    private const int LargeBody = 64 * 1024;
    private static readonly JsonSerializerOptions ApplyJsonOptions = new() { WriteIndented = false };
    private readonly HttpClient _http;

    /// <param name="maxConnections">
    /// Connections (each its own TLS handshake) this client opens at most; further concurrent requests wait for one.
    /// Unbounded by default, which suits the CLI's few requests; a caller issuing many concurrent requests bounds it.
    /// </param>
    public ApiClient(ClientContext context, TimeSpan? timeout = null, int? maxConnections = null)
    {
        Context = context;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = maxConnections ?? int.MaxValue,
        };
        if (!string.IsNullOrEmpty(context.CertificateAuthority))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(context.CertificateAuthority);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                cert is not null && VerifyAgainst(roots, new X509Certificate2(cert), errors);
        }
        _http = new HttpClient(handler) { BaseAddress = new Uri(context.Server), Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(context.Token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", context.Token);
        }
    }

    public ClientContext Context { get; }

    public HttpClient Http => _http;

    public static string PathFor(ResourceKind kind, string? ns, string? name = null)
    {
        var sb = new StringBuilder(Prefix);
        if (kind.Namespaced && ns is not null) sb.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        sb.Append('/').Append(kind.Plural);
        if (name is not null) sb.Append('/').Append(Uri.EscapeDataString(name));
        return sb.ToString();
    }

    public async Task<ResourceObject> GetAsync(ResourceKind kind, string ns, string name, CancellationToken ct = default)
    {
        var node = await SendAsync(HttpMethod.Get, PathFor(kind, ns, name), null, null, ct);
        return new ResourceObject(node.AsObject());
    }

    public async Task<ResourceObject?> TryGetAsync(ResourceKind kind, string ns, string name, CancellationToken ct = default)
    {
        try
        {
            return await GetAsync(kind, ns, name, ct);
        }
        catch (ApiException e) when (e.Code == 404)
        {
            return null;
        }
    }

    /// <summary>Lists objects; a null namespace lists every namespace.</summary>
    public async Task<(IReadOnlyList<ResourceObject> Items, string ResourceVersion)> ListAsync(ResourceKind kind, string? ns,
        string? labelSelector = null, CancellationToken ct = default)
    {
        var path = PathFor(kind, ns);
        if (!string.IsNullOrEmpty(labelSelector)) path += "?labelSelector=" + Uri.EscapeDataString(labelSelector);
        var node = await SendAsync(HttpMethod.Get, path, null, null, ct);
        var items = node["items"]?.AsArray().OfType<JsonObject>().Select(o => new ResourceObject(o)).ToArray() ?? [];
        return (items, (string?)node["metadata"]?["resourceVersion"] ?? "0");
    }

    /// <summary>Declarative apply; returns the stored object and "created", "configured" or "unchanged".</summary>
    public async Task<(ResourceObject Object, string Outcome)> ApplyAsync(ResourceKind kind, ResourceObject obj, CancellationToken ct = default)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(obj.Node, ApplyJsonOptions);
        using var request = new HttpRequestMessage(HttpMethod.Patch, PathFor(kind, obj.Namespace, obj.Name))
        {
            Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/apply-patch+json") { CharSet = "utf-8" } } },
        };
        if (json.Length > LargeBody) request.Headers.ExpectContinue = true;
        using var response = await _http.SendAsync(request, ct);
        var node = await ReadAsync(response, ct);
        var outcome = response.Headers.TryGetValues("X-OpenChoreo-Apply", out var v) ? v.First() : "configured";
        return (new ResourceObject(node.AsObject()), outcome);
    }

    public async Task<ResourceObject> CreateAsync(ResourceKind kind, ResourceObject obj, CancellationToken ct = default) =>
        new((await SendAsync(HttpMethod.Post, PathFor(kind, obj.Namespace), obj.ToJson(), "application/json", ct)).AsObject());

    public async Task<ResourceObject> UpdateAsync(ResourceKind kind, ResourceObject obj, CancellationToken ct = default) =>
        new((await SendAsync(HttpMethod.Put, PathFor(kind, obj.Namespace, obj.Name), obj.ToJson(), "application/json", ct)).AsObject());

    public async Task<ResourceObject> UpdateStatusAsync(ResourceKind kind, ResourceObject obj, CancellationToken ct = default) =>
        new((await SendAsync(HttpMethod.Put, PathFor(kind, obj.Namespace, obj.Name) + "/status", obj.ToJson(), "application/json", ct)).AsObject());

    public async Task<ResourceObject> MergePatchAsync(ResourceKind kind, string ns, string name, JsonNode patch, CancellationToken ct = default) =>
        new((await SendAsync(HttpMethod.Patch, PathFor(kind, ns, name), patch.ToJsonString(), "application/merge-patch+json", ct)).AsObject());

    /// <summary>Deletes an object; returns false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(ResourceKind kind, string ns, string name, CancellationToken ct = default)
    {
        try
        {
            await SendAsync(HttpMethod.Delete, PathFor(kind, ns, name), null, null, ct);
            return true;
        }
        catch (ApiException e) when (e.Code == 404 && e.DetailsKind != "Organization")
        {
            return false;
        }
    }

    /// <summary>Streams changes; without a resourceVersion the current objects arrive first as ADDED.</summary>
    public async IAsyncEnumerable<WatchNotification> WatchAsync(ResourceKind kind, string? ns, string? labelSelector = null,
        string? resourceVersion = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var path = PathFor(kind, ns) + "?watch=true";
        if (!string.IsNullOrEmpty(labelSelector)) path += "&labelSelector=" + Uri.EscapeDataString(labelSelector);
        if (!string.IsNullOrEmpty(resourceVersion)) path += "&resourceVersion=" + Uri.EscapeDataString(resourceVersion);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) await ReadAsync(response, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var e = JsonNode.Parse(line)!;
            var type = (string?)e["type"] ?? "";
            if (type == "ERROR") throw ApiException.FromStatus(e["object"]!.AsObject(), 500);
            yield return new WatchNotification(type, new ResourceObject(e["object"]!.AsObject()));
        }
    }

    /// <summary>GET of any path returning JSON (e.g. <c>/version</c>).</summary>
    public Task<JsonNode> GetJsonAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, null, null, ct);

    /// <summary>POST of a JSON body to any path returning JSON (the task routes under <c>/api/v1</c>).</summary>
    public Task<JsonNode> PostJsonAsync(string path, JsonNode body, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, path, body.ToJsonString(), "application/json", ct);

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType ?? "application/json");
        // A large body asks first, so a refusal (e.g. 413) arrives before the body is sent.
        if (body?.Length > LargeBody) request.Headers.ExpectContinue = true;
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(503, StatusReasons.ServiceUnavailable,
                $"cannot reach the control plane at {Context.Server}: {e.InnerException?.Message ?? e.Message}");
        }
        using (response) return await ReadAsync(response, ct);
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        // Parsed from the UTF-8 bytes: no intermediate string of the whole body (a long list is megabytes).
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        JsonNode? node = null;
        try
        {
            node = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (JsonException)
        {
            // Not JSON: reported below.
        }
        if (response.IsSuccessStatusCode) return node ?? new JsonObject();
        if (node is JsonObject o && (string?)o["kind"] == "Status") throw ApiException.FromStatus(o, (int)response.StatusCode);
        var text = Encoding.UTF8.GetString(body);
        throw new ApiException((int)response.StatusCode, response.StatusCode.ToString(),
            $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}: {Truncate(text)}");
    }

    private static string Truncate(string s) => s.Length > 300 ? s[..300] + "…" : s;

    private static bool VerifyAgainst(X509Certificate2Collection roots, X509Certificate2 cert, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>True when an exception means the server could not be reached at all.</summary>
    public static bool IsUnreachable(ApiException e) => e.Code == (int)HttpStatusCode.ServiceUnavailable && e.Reason == StatusReasons.ServiceUnavailable;
}
