using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Api;
using OpenChoreo.Controllers;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Gateway;

namespace OpenChoreo.Server;

/// <summary>Builds the control-plane process: store, API server (HTTPS), bootstrap and background services.</summary>
public static class ControlPlaneHost
{
    /// <summary>
    /// Creates the host. Configuration comes from, in increasing precedence: built-in defaults, the YAML file,
    /// <c>OPENCHOREO_*</c> environment variables, then <paramref name="overrides"/> (command-line flags).
    /// </summary>
    public static WebApplication Build(string? configFile, IDictionary<string, string?> overrides, Action<ILoggingBuilder>? logging = null)
    {
        // The default appsettings.json source would watch the content root (the working directory) recursively for
        // changes, and keep watching after the sources are cleared: when the data directory lies below it (e.g. `up`
        // started from $HOME), every SQLite write wakes that watcher. The configuration here never reloads from files.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Configuration.Sources.Clear();
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new InvalidOperationException($"the configuration file {configFile} does not exist");
            ((IConfigurationBuilder)builder.Configuration).Add(new YamlConfigurationSource(configFile));
        }
        builder.Configuration.AddEnvironmentVariables("OPENCHOREO_");
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        logging?.Invoke(builder.Logging);

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<ControlPlaneOptions>().Bind(builder.Configuration).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ControlPlaneOptions>, ControlPlaneOptionsValidator>();
        var options = builder.Configuration.Get<ControlPlaneOptions>() ?? new ControlPlaneOptions();
        var validation = new ControlPlaneOptionsValidator().Validate(null, options);
        if (validation.Failed) throw new OptionsValidationException(nameof(ControlPlaneOptions), typeof(ControlPlaneOptions), validation.Failures);

        Directory.CreateDirectory(options.DataDir);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(options.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        StoreRegistration.Add(services, options);
        services.AddOpenChoreoApi(builder.Configuration);
        services.AddSingleton(sp => new ServerCertificateSource(sp.GetRequiredService<IOptions<ControlPlaneOptions>>(),
            sp.GetRequiredService<TimeProvider>(), () => sp.GetRequiredService<OpenChoreo.Pki.PlatformCa>(),
            sp.GetRequiredService<ILogger<ServerCertificateSource>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ServerCertificateSource>());
        var platformNamespace = builder.Configuration["certificates:clusterResourceNamespace"] is { Length: > 0 } cns ? cns : "openchoreo-system";
        services.AddSingleton(sp => new SniCertificateSelector(sp.GetRequiredService<OpenChoreo.Store.IResourceStore>(),
            sp.GetRequiredService<ServerCertificateSource>(), platformNamespace, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SniCertificateSelector>>()));
        services.AddHostedService(sp => sp.GetRequiredService<SniCertificateSelector>());
        // Answers HTTP-01 on the plain-HTTP listener; shared with the Certificate controller when it runs here.
        services.TryAddSingleton<OpenChoreo.Acme.Http01ChallengeStore>();
        services.AddHostedService<AdminAccessBootstrapper>();
        services.AddClusterGateway(builder.Configuration); // agents' mTLS listener (clusterGateway:listen, default :8444)
        services.AddReleaseDelivery(); // on every replica: Releases → the agents this replica holds; their reports → Release status
        if (options.Controllers.Enabled)
        {
            services.AddControllerRuntime(builder.Configuration); // reconcilers run on the elected leader only
            services.AddOpenChoreoControllers(); // Component, ReleaseBinding, Environment, Project
            services.AddSingleton<IReconciler, ReleaseReconciler>(); // finalizer and readiness of delivered Releases
            services.AddOpenChoreoCertificates(builder.Configuration); // Issuers, ClusterIssuers, Certificates → TLS Secrets
        }

        var listen = new Uri(options.Listen);
        var apiOptions = builder.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        builder.WebHost.ConfigureKestrel((ctx, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = apiOptions.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            var address = listen.Host is "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(listen.Host.Trim('[', ']'));
            var selector = kestrel.ApplicationServices.GetRequiredService<SniCertificateSelector>();
            kestrel.Listen(address, listen.Port, l => l.UseHttps(new TlsHandshakeCallbackOptions
            {
                // Per handshake: the certificate for the SNI name as of now (renewals apply to new connections only).
                OnConnection = c => ValueTask.FromResult(new System.Net.Security.SslServerAuthenticationOptions
                {
                    ServerCertificateContext = selector.Select(c.ClientHelloInfo.ServerName),
                    ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http2, System.Net.Security.SslApplicationProtocol.Http11],
                }),
            }));
            if (!string.IsNullOrEmpty(options.HttpListen))
            {
                var http = new Uri(options.HttpListen);
                var httpAddress = http.Host is "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(http.Host.Trim('[', ']'));
                kestrel.Listen(httpAddress, http.Port, l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
            }
        });
        var app = builder.Build();
        if (!string.IsNullOrEmpty(options.HttpListen)) app.UsePlainHttpListener(app.Services.GetRequiredService<OpenChoreo.Acme.Http01ChallengeStore>(), options);
        app.UseOpenChoreoApi();
        app.MapClusterGatewayApi(); // join tokens (authenticated) and agent enrollment (anonymous)
        return app;
    }
}
