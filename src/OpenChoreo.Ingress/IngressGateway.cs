using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenChoreo.Runtime.Podman;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace OpenChoreo.Ingress;

/// <summary>
/// The data plane's ingress: Kestrel on HTTP and HTTPS (certificate chosen per handshake by SNI) in front of YARP,
/// whose routes follow an <see cref="IRouteTable"/>. Requests no route takes get a 404 that says why.
/// </summary>
public sealed class IngressGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RouteTableConfigProvider _provider;

    private IngressGateway(WebApplication app, RouteTableConfigProvider provider, IngressOptions options)
    {
        _app = app;
        _provider = provider;
        Options = options;
    }

    public IngressOptions Options { get; }

    /// <summary>The bound HTTP endpoint (actual port when 0 was asked), null when disabled.</summary>
    public IPEndPoint? HttpEndpoint { get; private set; }

    public IPEndPoint? HttpsEndpoint { get; private set; }

    /// <summary>Revision of the newest route configuration the proxy serves; grows by one per route-table change handled.</summary>
    public long AppliedRevision => _provider.AppliedRevision;

    public static async Task<IngressGateway> StartAsync(IngressOptions options, IRouteTable routes, IIngressCertificateSelector? certificates,
        ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(routes);
        options.Validate();
        // Half-configured TLS fails here, not at the first handshake.
        if (options.HttpsEndpoint is not null && certificates is null)
            throw new ArgumentException("ingress HTTPS endpoint is set but no certificate selector was given (issue one from the platform CA or disable HTTPS)");
        loggers = QuietFrameworkLoggers.Wrap(loggers);
        var logger = loggers.CreateLogger("OpenChoreo.Ingress");
        var provider = new RouteTableConfigProvider(routes, options, logger);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggers);
        builder.Services.AddRouting();
        builder.Services.AddSingleton<IProxyConfigProvider>(provider);
        builder.Services.AddSingleton<IConfigChangeListener>(provider);
        builder.Services.AddReverseProxy().AddTransforms(IngressTransforms.Apply);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            if (options.HttpEndpoint is { } http)
                k.Listen(http, l => l.Protocols = HttpProtocols.Http1);
            if (options.HttpsEndpoint is { } https)
                k.Listen(https, l =>
                {
                    l.Protocols = HttpProtocols.Http1AndHttp2;
                    if (certificates is IIngressCertificateContextSelector contexts) l.UseHttps(ContextCallback(contexts, options));
                    else
                        l.UseHttps(new HttpsConnectionAdapterOptions
                        {
                            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                            ServerCertificateSelector = (_, name) => certificates!.Select(name),
                        });
                });
        });

        var app = builder.Build();
        if (options.Http01Answer is { } answer) app.Use((ctx, next) => AcmeChallenge.TryAnswerAsync(ctx, answer) ?? next(ctx));
        app.UseRouting();
        app.Use((ctx, next) => HandleAsync(ctx, next, provider, options, logger));
        app.MapReverseProxy();
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var gateway = new IngressGateway(app, provider, options);
        foreach (var address in app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var uri = new Uri(address);
            var ep = new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
            if (uri.Scheme == "https") gateway.HttpsEndpoint = ep;
            else gateway.HttpEndpoint = ep;
        }
        IngressLog.Listening(logger, string.Join(", ", app.Urls), options.AppsDomain);
        return gateway;
    }

    /// <summary>Per-handshake options around a context selector: the chosen context carries its intermediates, so the
    /// full chain is sent without building it per handshake. No context for the name refuses the handshake.</summary>
    private static TlsHandshakeCallbackOptions ContextCallback(IIngressCertificateContextSelector contexts, IngressOptions options) => new()
    {
        OnConnection = hello =>
        {
            var context = contexts.SelectContext(hello.ClientHelloInfo.ServerName)
                ?? throw new AuthenticationException($"no certificate for server name '{hello.ClientHelloInfo.ServerName}'");
            return ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = context,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            });
        },
    };

    /// <summary>404 for requests no route takes, then the proxy; one access-log line per request.</summary>
    private static async Task HandleAsync(HttpContext ctx, RequestDelegate next, RouteTableConfigProvider provider, IngressOptions options, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        // No proxy route matched. Routing's own 405 endpoint (path matched, method did not) counts as that too: in the
        // Gateway API a method is part of the match, so the answer is 404 like any other miss.
        if (ctx.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is null) await NotFoundAsync(ctx, provider.Snapshot, options).ConfigureAwait(false);
        // A declared length over the limit is refused before the backend sees the request (Kestrel alone would only
        // fail once the proxy reads the body, after the request has reached the backend).
        else if (ctx.Request.ContentLength > options.MaxRequestBodyBytes) ctx.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        else await next(ctx).ConfigureAwait(false);
        if (!options.AccessLog || !logger.IsEnabled(LogLevel.Information)) return;
        var md = ctx.Features.Get<IReverseProxyFeature>()?.Route.Config.Metadata;
        IngressLog.Access(logger, ctx.Request.Method, HostnameRules.HostOnly(ctx.Request.Host.Value ?? ""), ctx.Response.StatusCode,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            md?.GetValueOrDefault(IngressRouteMetadata.Component) ?? "-", md?.GetValueOrDefault(IngressRouteMetadata.Environment) ?? "-",
            md?.GetValueOrDefault(IngressRouteMetadata.Route) ?? "-");
    }

    private static Task NotFoundAsync(HttpContext ctx, IngressSnapshot snapshot, IngressOptions options)
    {
        var host = HostnameRules.HostOnly(ctx.Request.Host.Value ?? "");
        var shownHost = host.Length > 255 ? host[..255] : host;
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        string body;
        if (host.Length > 0 && snapshot.Serves(host))
        {
            var path = ctx.Request.Path.Value ?? "/";
            body = $"404 Not Found: host '{shownHost}' is served by this gateway, but none of its routes matches {ctx.Request.Method} {(path.Length > 200 ? path[..200] + "..." : path)}.\n";
        }
        else
        {
            var port = ctx.Connection.LocalPort;
            var scheme = ctx.Request.Scheme;
            body = $"""
                404 Not Found: no application is served at host '{shownHost}'.
                This is the OpenChoreo ingress gateway for *.{options.AppsDomain}. Deployed components are reachable at
                  {scheme}://<component>-<environment>.{options.AppsDomain}:{port}/         (web applications)
                  {scheme}://<environment>.{options.AppsDomain}:{port}/<component>/      (services)
                Check the component's endpoints with: occ get releasebindings -A

                """;
        }
        return ctx.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _provider.DisposeAsync().ConfigureAwait(false);
        }
    }
}
