using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenChoreo.Pki;

namespace OpenChoreo.Acme;

/// <summary>
/// An RFC 8555 ACME client bound to one account key. Thread-safe; nonces are pooled across requests.
/// </summary>
public sealed class AcmeClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly MediaTypeHeaderValue JoseJson = new("application/jose+json");

    private readonly AcmeClientOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<string> _nonces = new();
    private readonly SemaphoreSlim _directoryGate = new(1, 1);
    private AcmeDirectory? _directory;

    public AcmeClient(AcmeClientOptions options, AcmeAccountKey accountKey, ILogger<AcmeClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(accountKey);
        options.Validate();
        _options = options;
        AccountKey = accountKey;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = options.TimeProvider;
        _http = new HttpClient(options.Handler ?? CreateHandler(options), disposeHandler: options.Handler is null)
        {
            Timeout = options.RequestTimeout,
            MaxResponseContentBufferSize = options.MaxResponseBytes,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("OpenChoreo-ACME/0.1");
    }

    public AcmeAccountKey AccountKey { get; }

    /// <summary>The account URL once the account was created or found.</summary>
    public Uri? AccountUri { get; private set; }

    public string KeyAuthorization(string token) => AccountKey.KeyAuthorization(token);

    private static SocketsHttpHandler CreateHandler(AcmeClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
        };
        if (options.TrustBundle is { } bundle)
            handler.SslOptions.RemoteCertificateValidationCallback =
                TlsPolicies.ServerCertificateValidator(() => bundle, options.DirectoryUri.IdnHost);
        options.ConfigureHandler?.Invoke(handler);
        return handler;
    }

    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken = default)
    {
        if (_directory is { } cached) return cached;
        await _directoryGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_directory is { } again) return again;
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, _options.DirectoryUri), cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "fetching the directory", cancellationToken).ConfigureAwait(false);
            _directory = await ReadJsonAsync<AcmeDirectory>(response, cancellationToken).ConfigureAwait(false);
            return _directory;
        }
        finally
        {
            _directoryGate.Release();
        }
    }

    /// <summary>Creates the account, or returns the existing one for this key (the server answers 200 then).</summary>
    public async Task<AcmeAccount> CreateAccountAsync(IEnumerable<string>? contacts, bool termsOfServiceAgreed, CancellationToken cancellationToken = default)
    {
        var dir = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var payload = new JsonObject { ["termsOfServiceAgreed"] = termsOfServiceAgreed };
        if (contacts is not null) payload["contact"] = new JsonArray(contacts.Select(c => (JsonNode)JsonValue.Create(c)).ToArray());
        return await AccountRequestAsync(dir.NewAccount, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Looks the account up by key (<c>onlyReturnExisting</c>); null when the server knows no such account.</summary>
    public async Task<AcmeAccount?> FindAccountAsync(CancellationToken cancellationToken = default)
    {
        var dir = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await AccountRequestAsync(dir.NewAccount, new JsonObject { ["onlyReturnExisting"] = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (AcmeProblemException ex) when (ex.Problem.Is(AcmeErrors.AccountDoesNotExist))
        {
            return null;
        }
    }

    private async Task<AcmeAccount> AccountRequestAsync(Uri url, JsonObject payload, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, payload, useJwk: true, "registering the account", cancellationToken).ConfigureAwait(false);
        var location = response.Headers.Location ?? throw new AcmeException("The ACME server returned an account without a Location header.");
        var account = await ReadJsonAsync<AcmeAccount>(response, cancellationToken).ConfigureAwait(false) with { Location = location };
        AccountUri = location;
        AcmeLog.AccountReady(_logger, location);
        return account;
    }

    public async Task<AcmeOrder> NewOrderAsync(IEnumerable<string> dnsNames, CancellationToken cancellationToken = default)
    {
        var dir = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var ids = new JsonArray(dnsNames.Select(n => (JsonNode)new JsonObject { ["type"] = "dns", ["value"] = n }).ToArray());
        using var response = await PostAsync(dir.NewOrder, new JsonObject { ["identifiers"] = ids }, useJwk: false, "creating the order", cancellationToken).ConfigureAwait(false);
        var location = response.Headers.Location ?? throw new AcmeException("The ACME server returned an order without a Location header.");
        var order = await ReadJsonAsync<AcmeOrder>(response, cancellationToken).ConfigureAwait(false) with { Location = location };
        AcmeLog.OrderCreated(_logger, location, ids.Count);
        return order;
    }

    public Task<AcmeOrder> GetOrderAsync(Uri order, CancellationToken cancellationToken = default) =>
        GetResourceAsync<AcmeOrder>(order, (o, u) => o with { Location = u }, cancellationToken);

    public Task<AcmeAuthorization> GetAuthorizationAsync(Uri authorization, CancellationToken cancellationToken = default) =>
        GetResourceAsync<AcmeAuthorization>(authorization, (a, u) => a with { Location = u }, cancellationToken);

    /// <summary>Tells the server the challenge answer is in place (POST <c>{}</c>).</summary>
    public async Task<AcmeChallenge> RespondToChallengeAsync(Uri challenge, CancellationToken cancellationToken = default)
    {
        using var response = await PostAsync(challenge, new JsonObject(), useJwk: false, "responding to the challenge", cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<AcmeChallenge>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls until the authorization is valid; throws <see cref="AcmeProblemException"/> with the challenge's
    /// error when it turns invalid, or <see cref="AcmeTimeoutException"/> at the deadline.</summary>
    public async Task<AcmeAuthorization> WaitForAuthorizationAsync(Uri authorization, CancellationToken cancellationToken = default)
    {
        var authz = await PollAsync(authorization, (AcmeAuthorization a, Uri u) => a with { Location = u },
            a => a.Status is not AcmeStatus.Pending, "authorization", cancellationToken).ConfigureAwait(false);
        if (authz.Status == AcmeStatus.Valid) return authz;
        var failed = authz.Challenges.FirstOrDefault(c => c.Error is not null);
        var problem = failed?.Error ?? new AcmeProblem { Type = AcmeProblem.Prefix + "unauthorized", Detail = $"the authorization ended as '{authz.Status}'" };
        throw new AcmeProblemException(problem with { Identifier = problem.Identifier ?? authz.Identifier }, null,
            $"Validation of {authz.Identifier.Value} failed{(failed is null ? "" : $" ({failed.Type})")}");
    }

    /// <summary>Sends the CSR (DER) to the order's finalize URL and waits until the certificate is issued.</summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, byte[] csrDer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(csrDer);
        using (var response = await PostAsync(order.Finalize, new JsonObject { ["csr"] = Base64Url.Encode(csrDer) }, useJwk: false, "finalizing the order", cancellationToken).ConfigureAwait(false))
        {
            await ReadJsonAsync<AcmeOrder>(response, cancellationToken).ConfigureAwait(false);
        }
        return await WaitForOrderAsync(order.Location, AcmeStatus.Valid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls an order until it reaches <paramref name="wanted"/> (ready or valid); an invalid order throws with its error.</summary>
    public async Task<AcmeOrder> WaitForOrderAsync(Uri order, string wanted, CancellationToken cancellationToken = default)
    {
        var result = await PollAsync(order, (AcmeOrder o, Uri u) => o with { Location = u },
            o => o.Status == wanted || o.Status is AcmeStatus.Invalid or AcmeStatus.Valid, "order", cancellationToken).ConfigureAwait(false);
        if (result.Status == wanted || result.Status == AcmeStatus.Valid) return result;
        throw new AcmeProblemException(result.Error ?? new AcmeProblem { Type = AcmeProblem.Prefix + "orderNotReady", Detail = $"the order ended as '{result.Status}'" },
            null, "The order failed");
    }

    /// <summary>Downloads the certificate chain as PEM (leaf first).</summary>
    public async Task<string> DownloadCertificateAsync(Uri certificate, CancellationToken cancellationToken = default)
    {
        using var response = await PostAsync(certificate, null, useJwk: false, "downloading the certificate", cancellationToken,
            accept: "application/pem-certificate-chain").ConfigureAwait(false);
        var text = await ReadBoundedStringAsync(response, cancellationToken).ConfigureAwait(false);
        if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new AcmeException("The ACME server returned a certificate download that holds no PEM certificate.");
        return text;
    }

    private async Task<T> GetResourceAsync<T>(Uri url, Func<T, Uri, T> locate, CancellationToken cancellationToken)
    {
        var (value, _) = await GetWithRetryAfterAsync(url, locate, cancellationToken).ConfigureAwait(false);
        return value;
    }

    private async Task<(T Value, TimeSpan? RetryAfter)> GetWithRetryAfterAsync<T>(Uri url, Func<T, Uri, T> locate, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(url, null, useJwk: false, $"reading {url}", cancellationToken).ConfigureAwait(false);
        var value = locate(await ReadJsonAsync<T>(response, cancellationToken).ConfigureAwait(false), url);
        return (value, RetryAfterDelay(response));
    }

    private async Task<T> PollAsync<T>(Uri url, Func<T, Uri, T> locate, Func<T, bool> done, string what, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.PollTimeout;
        var backoff = _options.PollInterval;
        while (true)
        {
            var (value, retryAfter) = await GetWithRetryAfterAsync(url, locate, cancellationToken).ConfigureAwait(false);
            if (done(value)) return value;
            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
                throw new AcmeTimeoutException($"The {what} at {url} did not reach a final state within {_options.PollTimeout.TotalSeconds:0.#} s.");
            var delay = retryAfter ?? backoff;
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxPollInterval.Ticks));
            await Task.Delay(delay < remaining ? delay : remaining, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A signed POST with nonce handling: a <c>badNonce</c> answer is retried with the fresh nonce it carries.</summary>
    private async Task<HttpResponseMessage> PostAsync(Uri url, JsonNode? payload, bool useJwk, string context, CancellationToken cancellationToken, string? accept = null)
    {
        if (!useJwk && AccountUri is null)
            throw new InvalidOperationException("Create or find the ACME account before other requests.");
        for (var attempt = 0; ; attempt++)
        {
            var nonce = await TakeNonceAsync(cancellationToken).ConfigureAwait(false);
            var body = AccountKey.Sign(url, nonce, useJwk ? null : AccountUri, payload);
            var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = JoseJson;
                if (accept is not null) request.Headers.Accept.ParseAdd(accept);
                return request;
            }, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return response;
            try
            {
                var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                if (problem.Is(AcmeErrors.BadNonce) && attempt < _options.MaxBadNonceRetries)
                {
                    AcmeLog.BadNonceRetry(_logger, attempt + 1, _options.MaxBadNonceRetries);
                    continue;
                }
                throw ProblemException(problem, response, context);
            }
            finally
            {
                response.Dispose();
            }
        }
    }

    private async Task<string> TakeNonceAsync(CancellationToken cancellationToken)
    {
        if (_nonces.TryDequeue(out var pooled)) return pooled;
        var dir = await GetDirectoryAsync(cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, dir.NewNonce), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new AcmeException($"The ACME server answered HTTP {(int)response.StatusCode} to a new-nonce request.");
        // SendAsync pooled the Replay-Nonce header of that response.
        return _nonces.TryDequeue(out var fresh) ? fresh
            : throw new AcmeException("The ACME server's new-nonce response carried no Replay-Nonce header.");
    }

    /// <summary>Sends with bounded retries on transport failure and 5xx; pools any Replay-Nonce.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        var delay = _options.TransportRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var request = build();
            Exception? failure;
            try
            {
                var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                AcmeLog.Response(_logger, request.Method.Method, request.RequestUri!, (int)response.StatusCode);
                if (response.Headers.TryGetValues("Replay-Nonce", out var nonces))
                    foreach (var n in nonces)
                        if (n.Length is > 0 and <= 256) _nonces.Enqueue(n);
                if ((int)response.StatusCode < 500 || attempt > _options.MaxTransportRetries) return response;
                failure = new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
                response.Dispose();
            }
            catch (HttpRequestException ex)
            {
                failure = ex;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new TimeoutException($"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s", ex);
            }
            // A certificate the trust bundle refuses will not change on retry: fail at once.
            if (attempt > _options.MaxTransportRetries || failure.InnerException is System.Security.Authentication.AuthenticationException)
                throw new AcmeServerUnavailableException(
                    $"The ACME server at {request.RequestUri!.GetLeftPart(UriPartial.Authority)} cannot be reached after {attempt} attempt(s): {failure.Message}",
                    attempt, failure);
            AcmeLog.TransportRetry(_logger, request.RequestUri!, attempt, _options.MaxTransportRetries, failure);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string context, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        throw ProblemException(await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false), response, context);
    }

    private AcmeProblemException ProblemException(AcmeProblem problem, HttpResponseMessage response, string context)
    {
        var status = (int)response.StatusCode;
        if (problem.Is(AcmeErrors.RateLimited) || status == 429)
        {
            var retry = RetryAfterDelay(response) is { } d ? _time.GetUtcNow() + d : (DateTimeOffset?)null;
            return new AcmeRateLimitedException(problem, status, retry, "Rate limited while " + context);
        }
        return new AcmeProblemException(problem, status, "Failed while " + context);
    }

    private async Task<AcmeProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await ReadBoundedStringAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (AcmeException)
        {
            text = "";
        }
        try
        {
            if (text.Length > 0 && JsonSerializer.Deserialize<AcmeProblem>(text, Json) is { } p && (p.Type is not null || p.Detail is not null))
                return p;
        }
        catch (JsonException)
        {
        }
        return new AcmeProblem { Type = "about:blank", Detail = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} without a problem document", Status = (int)response.StatusCode };
    }

    private TimeSpan? RetryAfterDelay(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var d = date - _time.GetUtcNow();
            return d < TimeSpan.Zero ? TimeSpan.Zero : d;
        }
        return null;
    }

    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await ReadBoundedStringAsync(response, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("null document");
        }
        catch (JsonException ex)
        {
            throw new AcmeException($"The ACME server returned a {typeof(T).Name.Replace("Acme", "", StringComparison.Ordinal)} that cannot be read: {ex.Message}", ex);
        }
    }

    private async Task<string> ReadBoundedStringAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > limit)
            throw new AcmeException($"The ACME server's response is larger than {limit} bytes.");
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[Math.Min(limit + 1, 64 * 1024)];
        using var collected = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (collected.Length + read > limit) throw new AcmeException($"The ACME server's response is larger than {limit} bytes.");
            collected.Write(buffer, 0, read);
        }
        return Encoding.UTF8.GetString(collected.GetBuffer(), 0, (int)collected.Length);
    }

    public void Dispose()
    {
        _http.Dispose();
        _directoryGate.Dispose();
    }
}
