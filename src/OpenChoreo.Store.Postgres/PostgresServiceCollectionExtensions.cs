using OpenChoreo.Store;
using OpenChoreo.Store.Postgres;

namespace Microsoft.Extensions.DependencyInjection;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers the PostgreSQL resource store as <see cref="IResourceStore"/>, with the garbage collector and the
    /// watch history compactor as hosted services. <paramref name="connectionString"/> may list several hosts
    /// (primary + standbys): the store finds the primary itself.
    /// </summary>
    public static IServiceCollection AddPostgresResourceStore(this IServiceCollection services, string connectionString,
        Action<PostgresStoreOptions>? configure = null)
    {
        services.AddOptions<PostgresStoreOptions>()
            .Configure(o =>
            {
                o.ConnectionString = connectionString;
                configure?.Invoke(o);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddResourceStoreCore<PostgresResourceStore>();
        return services;
    }
}
