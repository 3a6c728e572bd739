using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenChoreo.Acme;

public sealed record CloudflareOptions
{
    public static readonly Uri DefaultApiBase = new("https://api.cloudflare.com/client/v4/");

    /// <summary>The API base (ends with a slash). Tests point it at a loopback double.</summary>
    public Uri ApiBase { get; init; } = DefaultApiBase;

    /// <summary>An API token with Zone:Read and DNS:Edit. A secret: never logged.</summary>
    public required string ApiToken { get; init; }

    internal void Validate()
    {
        if (!ApiBase.IsAbsoluteUri || !ApiBase.AbsoluteUri.EndsWith('/'))
            throw new ArgumentException("CloudflareOptions.ApiBase must be an absolute URL ending with '/'.", nameof(ApiBase));
        if (string.IsNullOrWhiteSpace(ApiToken)) throw new ArgumentException("CloudflareOptions.ApiToken is required.", nameof(ApiToken));
    }
}

/// <summary>
/// DNS-01 through the Cloudflare v4 API: finds the zone by walking up the record name, creates and deletes TXT records.
/// The <see cref="HttpClient"/> is the caller's (TLS verification stays on).
/// </summary>
public sealed class CloudflareDnsProvider : IDnsProvider
{
    private const int MaxResponseBytes = 256 * 1024;
    private readonly HttpClient _http;
    private readonly CloudflareOptions _options;

    public CloudflareDnsProvider(HttpClient http, CloudflareOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = http;
        _options = options;
    }

    public string Name => "cloudflare";

    public async Task<DnsRecordHandle> CreateTxtRecordAsync(string name, string value, int ttl, CancellationToken cancellationToken)
    {
        var zoneId = await FindZoneAsync(name, cancellationToken).ConfigureAwait(false);
        var created = await SendAsync<CloudflareRecord>(HttpMethod.Post, $"zones/{Uri.EscapeDataString(zoneId)}/dns_records",
            new { type = "TXT", name, content = value, ttl }, "create the TXT record " + name, cancellationToken).ConfigureAwait(false);
        return new DnsRecordHandle(name, value, zoneId, created?.Id ?? throw new ChallengeSolverException($"Cloudflare created {name} but returned no record id.", "NoRecordId"));
    }

    public async Task DeleteTxtRecordAsync(DnsRecordHandle record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ZoneId is null || record.RecordId is null)
            throw new ArgumentException("The record handle was not made by this provider (no zone or record id).", nameof(record));
        try
        {
            await SendAsync<JsonElement>(HttpMethod.Delete, $"zones/{Uri.EscapeDataString(record.ZoneId)}/dns_records/{Uri.EscapeDataString(record.RecordId)}",
                null, "delete the TXT record " + record.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (ChallengeSolverException ex) when (ex.Code == "HTTP404")
        {
            // Already gone.
        }
    }

    /// <summary>The zone is the longest suffix of the name that the account holds (a.b.example.com → b.example.com → example.com).</summary>
    private async Task<string> FindZoneAsync(string name, CancellationToken cancellationToken)
    {
        var labels = name.TrimEnd('.').Split('.');
        for (var i = 0; i < labels.Length - 1; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            var zones = await SendAsync<List<CloudflareZone>>(HttpMethod.Get, "zones?name=" + Uri.EscapeDataString(candidate),
                null, "look up the zone " + candidate, cancellationToken).ConfigureAwait(false);
            if (zones is [var zone, ..]) return zone.Id;
        }
        throw new ChallengeSolverException($"No Cloudflare zone of this API token contains '{name}'.", "ZoneNotFound");
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, object? body, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_options.ApiBase, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiToken);
        if (body is not null) request.Content = JsonContent.Create(body);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ChallengeSolverException($"Cloudflare could not be reached to {what}: {ex.Message}", "TransportError", ex);
        }
        using (response)
        {
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
                throw new ChallengeSolverException($"Cloudflare's answer to {what} is larger than {MaxResponseBytes} bytes.", "TooLarge");
            CloudflareEnvelope<T>? envelope = null;
            try
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (bytes.Length > MaxResponseBytes) throw new ChallengeSolverException($"Cloudflare's answer to {what} is larger than {MaxResponseBytes} bytes.", "TooLarge");
                envelope = JsonSerializer.Deserialize<CloudflareEnvelope<T>>(bytes);
            }
            catch (JsonException)
            {
            }
            if (response.IsSuccessStatusCode && envelope is { Success: true }) return envelope.Result;
            var errors = envelope?.Errors is { Count: > 0 } list ? string.Join("; ", list.Select(e => $"{e.Code}: {e.Message}")) : "no error details";
            throw new ChallengeSolverException($"Cloudflare refused to {what} (HTTP {(int)response.StatusCode}): {errors}", $"HTTP{(int)response.StatusCode}");
        }
    }

    private sealed record CloudflareEnvelope<T>(
        [property: JsonPropertyName("success")] bool Success,
        [property: JsonPropertyName("errors")] List<CloudflareError>? Errors,
        [property: JsonPropertyName("result")] T? Result);

    private sealed record CloudflareError([property: JsonPropertyName("code")] int Code, [property: JsonPropertyName("message")] string? Message);

    private sealed record CloudflareZone([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("name")] string Name);

    private sealed record CloudflareRecord([property: JsonPropertyName("id")] string Id);
}
