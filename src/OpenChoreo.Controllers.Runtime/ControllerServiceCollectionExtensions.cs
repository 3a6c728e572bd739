using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpenChoreo.Controllers.Runtime;

public static class ControllerServiceCollectionExtensions
{
    /// <summary>Adds leader election and the controller manager; register reconcilers as <see cref="IReconciler"/>.</summary>
    public static IServiceCollection AddControllerRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LeaderElectionOptions>().Bind(configuration.GetSection(LeaderElectionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LeaderElection>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        services.AddSingleton<ControllerMetrics>();
        services.AddHostedService<ControllerManager>();
        return services;
    }
}
