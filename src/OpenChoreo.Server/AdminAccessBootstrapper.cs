using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Api.Auth;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Client;

namespace OpenChoreo.Server;

/// <summary>
/// On the first start, creates the admin bearer token (the store keeps only its hash) and writes a CLI configuration
/// for it to <c>&lt;dataDir&gt;/occ-config</c> (mode 0600). On later starts it refreshes the server URL and CA in that
/// file, keeping the token. The token itself is never logged.
/// </summary>
public sealed partial class AdminAccessBootstrapper(ApiTokens tokens, ReadinessGate gate, IServer server,
    ServerCertificateSource certificates, IOptions<ControlPlaneOptions> options, IHostApplicationLifetime lifetime,
    ILogger<AdminAccessBootstrapper> logger) : IHostedService
{
    public const string AdminUser = "admin";
    public const string ConfigFileName = "occ-config";

    private IDisposable? _hold;

    public static string ConfigPath(string dataDir) => Path.Combine(dataDir, ConfigFileName);

    public Task StartAsync(CancellationToken ct)
    {
        _hold = gate.Hold();
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(RunAsync, lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        try
        {
            var o = options.Value;
            var path = ConfigPath(o.DataDir);
            var url = ServerUrl();
            var existing = ClientConfig.Load(path);
            var context = existing.Contexts.FirstOrDefault(c => c.Name == o.ContextName);
            if (!await tokens.AnyForUserAsync(AdminUser, lifetime.ApplicationStopping))
            {
                var issued = await tokens.IssueAsync(AdminUser, lifetime.ApplicationStopping);
                context = new ClientContext { Name = o.ContextName, Server = url, Token = issued.Token };
                LogIssued(logger, path);
            }
            else if (context is null)
            {
                LogNoConfig(logger, path);
                return;
            }
            context.Server = url;
            context.CertificateAuthority = certificates.TrustBundlePem;
            var config = new ClientConfig();
            config.Upsert(context, makeCurrent: true);
            config.Save(path);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
        }
        finally
        {
            _hold?.Dispose();
        }
    }

    /// <summary>The URL clients use: the bound address, with "localhost" for loopback so the certificate name matches.</summary>
    private string ServerUrl()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? options.Value.Listen;
        var uri = new Uri(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal));
        var host = uri.Host is "127.0.0.1" or "[::1]" or "0.0.0.0" ? "127.0.0.1" : uri.Host;
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Created the admin token; the CLI configuration for it is {Path}")]
    private static partial void LogIssued(ILogger logger, string path);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "An admin token exists but {Path} does not hold it; issue a new one with 'openchoreo admin-token'")]
    private static partial void LogNoConfig(ILogger logger, string path);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Error, Message = "Could not set up admin access")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
