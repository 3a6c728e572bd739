using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Store.Secrets;

namespace Microsoft.Extensions.DependencyInjection;

public static class SealedSecretsServiceCollectionExtensions
{
    /// <summary>
    /// Wraps the registered <see cref="OpenChoreo.Store.IResourceStore"/> so Secret values are sealed at rest with the
    /// key in <paramref name="keyFile"/> (created on first start). Call after adding a store back end.
    /// </summary>
    public static IServiceCollection AddSealedSecrets(this IServiceCollection services, string keyFile)
    {
        var store = services.LastOrDefault(d => d.ServiceType == typeof(OpenChoreo.Store.IResourceStore))
            ?? throw new InvalidOperationException("add a store back end before AddSealedSecrets");
        services.Remove(store);
        services.AddSingleton(_ => SecretKeyRing.LoadOrCreate(keyFile));
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<OpenChoreo.Store.IResourceStore>(sp => new SealedSecretsStore(Resolve(store, sp), sp.GetRequiredService<SecretSealer>()));
        return services;
    }

    private static OpenChoreo.Store.IResourceStore Resolve(ServiceDescriptor d, IServiceProvider sp) => (OpenChoreo.Store.IResourceStore)(
        d.ImplementationInstance
        ?? d.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
