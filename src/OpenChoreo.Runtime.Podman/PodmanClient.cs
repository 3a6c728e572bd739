using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenChoreo.Runtime.Podman;

/// <summary>
/// A small client for podman's Docker-compatible REST API over its unix socket. Bodies are <see cref="JsonNode"/>s:
/// the runtime uses a handful of fields of each object, so typed DTOs for the whole API would be dead weight.
/// </summary>
public sealed class PodmanClient : IDisposable
{
    private const string Api = "http://podman/v1.41";
    private const string Libpod = "http://podman/v4.0.0/libpod";
    private const int MaxErrorBody = 4096;
    private readonly HttpClient _http;

    public PodmanClient(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    public async Task<JsonObject> VersionAsync(CancellationToken ct) => (await GetAsync("/version", ct).ConfigureAwait(false))!.AsObject();

    public async Task<JsonObject> InfoAsync(CancellationToken ct) => (await GetAsync("/info", ct).ConfigureAwait(false))!.AsObject();

    // ---- containers

    /// <summary>Creates a container; returns its id.</summary>
    public async Task<string> CreateContainerAsync(string name, JsonObject body, CancellationToken ct)
    {
        var reply = await SendAsync(HttpMethod.Post, $"/containers/create?name={Uri.EscapeDataString(name)}", body, ct).ConfigureAwait(false);
        return reply!["Id"]!.GetValue<string>();
    }

    public Task StartContainerAsync(string id, CancellationToken ct) => SendAsync(HttpMethod.Post, $"/containers/{Esc(id)}/start", null, ct, HttpStatusCode.NotModified);

    public Task StopContainerAsync(string id, int timeoutSeconds, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/containers/{Esc(id)}/stop?t={timeoutSeconds}", null, ct, HttpStatusCode.NotModified, HttpStatusCode.NotFound);

    public Task KillContainerAsync(string id, CancellationToken ct) => SendAsync(HttpMethod.Post, $"/containers/{Esc(id)}/kill", null, ct, HttpStatusCode.Conflict);

    /// <summary>Force-removes a container with its anonymous volumes; a missing container is not an error.</summary>
    public Task RemoveContainerAsync(string id, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"/containers/{Esc(id)}?force=true&v=true", null, ct, HttpStatusCode.NotFound);

    /// <summary>Inspects a container; null when it does not exist.</summary>
    public async Task<JsonObject?> InspectContainerAsync(string id, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, $"/containers/{Esc(id)}/json", null, ct, HttpStatusCode.NotFound).ConfigureAwait(false))?.AsObject();

    /// <summary>Lists containers (running or not) carrying all <paramref name="labels"/> (<c>key</c> or <c>key=value</c>).</summary>
    public async Task<JsonArray> ListContainersAsync(CancellationToken ct, params string[] labels)
    {
        var filters = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = labels }, PodmanJson.Default.DictionaryStringStringArray));
        return (await GetAsync($"/containers/json?all=true&filters={filters}", ct).ConfigureAwait(false))!.AsArray();
    }

    /// <summary>Opens the raw log stream (Docker multiplexed frames: no TTY is ever allocated).</summary>
    public async Task<Stream> ContainerLogsAsync(string id, bool follow, int tail, CancellationToken ct)
    {
        var tailArg = tail > 0 ? tail.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all";
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Api}/containers/{Esc(id)}/logs?stdout=true&stderr=true&follow={(follow ? "true" : "false")}&tail={tailArg}");
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, ct).ConfigureAwait(false);
            response.Dispose();
            throw error;
        }
        return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The last <paramref name="lines"/> lines of output as text.</summary>
    public async Task<string> TailLogsAsync(string id, int lines, CancellationToken ct)
    {
        await using var stream = await ContainerLogsAsync(id, follow: false, lines, ct).ConfigureAwait(false);
        var text = new StringBuilder();
        await LogFrames.ReadAsync(stream, chunk => { text.Append(Encoding.UTF8.GetString(chunk.Span)); return ValueTask.CompletedTask; }, ct).ConfigureAwait(false);
        return text.ToString();
    }

    /// <summary>Runs a command in a running container; returns its exit code.</summary>
    public async Task<int> ExecAsync(string id, IReadOnlyList<string> command, CancellationToken ct)
    {
        var create = new JsonObject { ["AttachStdout"] = true, ["AttachStderr"] = true, ["Cmd"] = ToArray(command) };
        var exec = await SendAsync(HttpMethod.Post, $"/containers/{Esc(id)}/exec", create, ct).ConfigureAwait(false);
        var execId = exec!["Id"]!.GetValue<string>();
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/exec/{Esc(execId)}/start")
        {
            Content = new StringContent("""{"Detach":false,"Tty":false}""", Encoding.UTF8, "application/json"),
        };
        using (var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false))
        {
            if (!response.IsSuccessStatusCode) throw await ReadErrorAsync(response, ct).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await body.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
        }
        var inspect = await GetAsync($"/exec/{Esc(execId)}/json", ct).ConfigureAwait(false);
        return inspect!["ExitCode"]?.GetValue<int>() ?? -1;
    }

    // ---- networks

    // Networks go through podman's own API only: in podman 4.3 the Docker-compatible network inspect and list drop the
    // "isolate" option from podman's in-memory copy of the network, so containers started after such a call would be
    // wired without isolation.

    /// <summary>Inspects a network (podman's own format: lower-case names, <c>options</c>); null when it does not exist.</summary>
    public async Task<JsonObject?> InspectNetworkAsync(string name, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, $"{Libpod}/networks/{Esc(name)}/json", null, ct, HttpStatusCode.NotFound).ConfigureAwait(false))?.AsObject();

    /// <summary>Creates a bridge network isolated from the other networks (netavark <c>isolate</c>). Through podman's own
    /// API: the Docker-compatible one ignores the option (it isolates by default, but neither says nor shows it).</summary>
    public Task CreateNetworkAsync(string name, IReadOnlyDictionary<string, string> labels, CancellationToken ct) =>
        CreateNetworkAsync(name, labels, isolate: true, ct);

    /// <summary>Tests make a non-isolated network with <paramref name="isolate"/> false, to check it is replaced.</summary>
    internal Task CreateNetworkAsync(string name, IReadOnlyDictionary<string, string> labels, bool isolate, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, Libpod + "/networks/create", new JsonObject
        {
            ["name"] = name,
            ["driver"] = "bridge",
            ["dns_enabled"] = true, // Service and StatefulSet names resolve inside the cell (off by default in this API)
            ["labels"] = ToObject(labels),
            ["options"] = isolate ? new JsonObject { ["isolate"] = "true" } : new JsonObject(),
        }, ct, HttpStatusCode.Conflict);

    /// <summary>Whether a network is isolated from the others; null when it does not exist.</summary>
    public async Task<bool?> IsNetworkIsolatedAsync(string name, CancellationToken ct) =>
        await InspectNetworkAsync(name, ct).ConfigureAwait(false) is { } network
            ? network["options"]?["isolate"]?.GetValue<string>() is "true" or "strict"
            : null;

    /// <summary>Names of the containers (running or not) attached to a network.</summary>
    public async Task<IReadOnlyList<string>> ContainersOnNetworkAsync(string name, CancellationToken ct)
    {
        var filters = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["network"] = [name] }, PodmanJson.Default.DictionaryStringStringArray));
        var list = (await GetAsync($"/containers/json?all=true&filters={filters}", ct).ConfigureAwait(false))!.AsArray();
        return [.. list.Select(c => c?["Id"]?.GetValue<string>() ?? "")];
    }

    public Task RemoveNetworkAsync(string name, CancellationToken ct) => SendAsync(HttpMethod.Delete, $"{Libpod}/networks/{Esc(name)}", null, ct, HttpStatusCode.NotFound);

    /// <summary>Networks carrying all <paramref name="labels"/>, in podman's own format (<c>name</c>, <c>labels</c>, <c>options</c>).</summary>
    public async Task<JsonArray> ListNetworksAsync(CancellationToken ct, params string[] labels)
    {
        var filters = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = labels }, PodmanJson.Default.DictionaryStringStringArray));
        return (await GetAsync($"{Libpod}/networks/json?filters={filters}", ct).ConfigureAwait(false))!.AsArray();
    }

    // ---- volumes

    public async Task<JsonObject?> InspectVolumeAsync(string name, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, $"/volumes/{Esc(name)}", null, ct, HttpStatusCode.NotFound).ConfigureAwait(false))?.AsObject();

    public Task CreateVolumeAsync(string name, IReadOnlyDictionary<string, string> labels, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "/volumes/create", new JsonObject { ["Name"] = name, ["Labels"] = ToObject(labels) }, ct, HttpStatusCode.Conflict);

    public Task RemoveVolumeAsync(string name, CancellationToken ct) => SendAsync(HttpMethod.Delete, $"/volumes/{Esc(name)}?force=true", null, ct, HttpStatusCode.NotFound);

    public async Task<JsonArray> ListVolumesAsync(CancellationToken ct, params string[] labels)
    {
        var filters = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = labels }, PodmanJson.Default.DictionaryStringStringArray));
        var reply = await GetAsync($"/volumes?filters={filters}", ct).ConfigureAwait(false);
        return reply?["Volumes"] as JsonArray ?? [];
    }

    // ---- images

    public async Task<bool> ImageExistsAsync(string image, CancellationToken ct) => await InspectImageAsync(image, ct).ConfigureAwait(false) is not null;

    public async Task<JsonObject?> InspectImageAsync(string image, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, $"/images/{Esc(image)}/json", null, ct, HttpStatusCode.NotFound).ConfigureAwait(false))?.AsObject();

    /// <summary>Imports a root file system tarball as image <paramref name="repository"/> (docker import).</summary>
    public async Task ImportImageAsync(Stream tar, string repository, string tag, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/images/create?fromSrc=-&repo={Uri.EscapeDataString(repository)}&tag={Uri.EscapeDataString(tag)}")
        {
            Content = new StreamContent(tar),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ReadErrorAsync(response, ct).ConfigureAwait(false);
        await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
    }

    public Task TagImageAsync(string image, string repository, string tag, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/images/{Esc(image)}/tag?repo={Uri.EscapeDataString(repository)}&tag={Uri.EscapeDataString(tag)}", null, ct);

    public Task RemoveImageAsync(string image, CancellationToken ct) => SendAsync(HttpMethod.Delete, $"/images/{Esc(image)}?force=true", null, ct, HttpStatusCode.NotFound);

    public void Dispose() => _http.Dispose();

    // ---- plumbing

    private Task<JsonNode?> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    /// <summary>Sends a request; <paramref name="tolerated"/> statuses answer null instead of throwing.</summary>
    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct, params HttpStatusCode[] tolerated)
    {
        using var request = new HttpRequestMessage(method, path.StartsWith("http://", StringComparison.Ordinal) ? path : Api + path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (Array.IndexOf(tolerated, response.StatusCode) >= 0) return null;
        if (!response.IsSuccessStatusCode) throw await ReadErrorAsync(response, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    private static async Task<PodmanApiException> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (text.Length > MaxErrorBody) text = text[..MaxErrorBody];
        string message;
        try { message = JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text; }
        catch (JsonException) { message = text; }
        return new PodmanApiException(response.StatusCode, $"podman {(int)response.StatusCode}: {message}");
    }

    private static string Esc(string s) => Uri.EscapeDataString(s);

    internal static JsonArray ToArray(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);

    internal static JsonObject ToObject(IReadOnlyDictionary<string, string> map)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map) o[k] = v;
        return o;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class PodmanJson : System.Text.Json.Serialization.JsonSerializerContext;
