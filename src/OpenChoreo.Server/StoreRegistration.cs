using Microsoft.Extensions.DependencyInjection;

namespace OpenChoreo.Server;

/// <summary>Chooses the store back end from <c>store:driver</c>.</summary>
internal static class StoreRegistration
{
    public static void Add(IServiceCollection services, ControlPlaneOptions options)
    {
        switch (options.Store.Driver)
        {
            case "postgres":
                throw new NotSupportedException("store:driver postgres: pending the store back ends");
            default:
                throw new NotSupportedException("store:driver sqlite: pending the store back ends");
        }
    }
}
