using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Pki;

namespace OpenChoreo.Gateway;

public static class ClusterGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the cluster gateway: its own mTLS listener (a hosted service), the plane directory, status leases,
    /// join tokens and agent certificate signing. Needs an <c>IResourceStore</c>. Map the enrollment routes on the API
    /// app with <see cref="GatewayEndpoints.MapClusterGatewayApi"/>. Configuration: section <c>clusterGateway</c>;
    /// <c>dataDir</c> at the root is the default for <c>clusterGateway:dataDir</c>.
    /// </summary>
    public static IServiceCollection AddClusterGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClusterGatewayOptions>()
            .Bind(configuration.GetSection(ClusterGatewayOptions.Section))
            .PostConfigure(o => { if (string.IsNullOrWhiteSpace(o.DataDir)) o.DataDir = configuration["dataDir"] ?? ""; })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterGatewayOptions>, ClusterGatewayOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDesiredReleases, StoreDesiredReleases>();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ClusterGatewayOptions>>().Value;
            return PlatformCa.LoadOrCreate(o.DataDir, new PlatformCaOptions
            {
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                Logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("OpenChoreo.Pki"),
            });
        });
        services.AddSingleton(sp => new AgentCertificates(sp.GetRequiredService<PlatformCa>(),
            sp.GetRequiredService<IOptions<ClusterGatewayOptions>>().Value.AgentCertificateLifetime));
        services.AddSingleton<PlaneDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<PlaneDirectory>());
        services.AddSingleton<AgentRegistry>();
        services.AddSingleton<PlaneStatusTracker>();
        services.AddHostedService(sp => sp.GetRequiredService<PlaneStatusTracker>());
        services.AddSingleton<PlaneCertificateValidator>();
        services.AddSingleton<JoinTokens>();
        services.AddSingleton<ClusterGateway>();
        services.AddSingleton<ClusterGatewayServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterGatewayServer>());
        services.AddSingleton(sp =>
        {
            var directory = ActivatorUtilities.CreateInstance<GatewayReplicaDirectory>(sp);
            sp.GetRequiredService<ClusterGateway>().UseReplicaDirectory(directory);
            return directory;
        });
        // After the server: it publishes the bound URL.
        services.AddHostedService(sp => sp.GetRequiredService<GatewayReplicaDirectory>());
        return services;
    }

    /// <summary>
    /// Adds release delivery (on every replica): desired releases from the store's Release objects, a watch that
    /// wakes the delivery of the agents this replica holds, and status reports written into Release status.
    /// </summary>
    public static IServiceCollection AddReleaseDelivery(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IDesiredReleases, StoreDesiredReleases>());
        services.AddSingleton<ReleaseDelivery>();
        services.AddHostedService(sp => sp.GetRequiredService<ReleaseDelivery>());
        return services;
    }
}
