using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenChoreo.Controllers.Runtime;

namespace OpenChoreo.Controllers;

public static class ControllersServiceCollectionExtensions
{
    /// <summary>
    /// Registers this project's reconcilers (Component, ReleaseBinding, Environment, Project) as
    /// <see cref="IReconciler"/>s for the controller manager. Idempotent. The Release (delivery) reconciler lives with
    /// the delivery code and is registered there.
    /// </summary>
    public static IServiceCollection AddOpenChoreoControllers(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, ComponentReconciler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, ReleaseBindingReconciler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, EnvironmentReconciler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, ProjectReconciler>());
        return services;
    }
}
