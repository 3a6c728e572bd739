using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenChoreo.Store;

namespace Microsoft.Extensions.DependencyInjection;

public static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// What every back end registers: the store as <see cref="IResourceStore"/> (and <see cref="ResourceStoreBase"/>),
    /// validated shared options, <see cref="TimeProvider"/>, the garbage collector and the history compactor.
    /// </summary>
    public static IServiceCollection AddResourceStoreCore<TStore>(this IServiceCollection services)
        where TStore : ResourceStoreBase
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ResourceStoreOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GarbageCollectorOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WatchHistoryOptions>().ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<TStore>();
        services.TryAddSingleton<ResourceStoreBase>(sp => sp.GetRequiredService<TStore>());
        services.TryAddSingleton<IResourceStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<GarbageCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<GarbageCollector>());
        services.AddSingleton<WatchHistoryCompactor>();
        services.AddHostedService(sp => sp.GetRequiredService<WatchHistoryCompactor>());
        return services;
    }
}
