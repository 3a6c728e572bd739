using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenChoreo.Store;
using OpenChoreo.Store.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SQLite resource store on <paramref name="path"/> as <see cref="IResourceStore"/>, with the
    /// garbage collector and the watch history compactor as hosted services.
    /// </summary>
    public static IServiceCollection AddSqliteResourceStore(this IServiceCollection services, string path,
        Action<SqliteStoreOptions>? configure = null)
    {
        services.AddOptions<SqliteStoreOptions>()
            .Configure(o =>
            {
                o.Path = path;
                configure?.Invoke(o);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddResourceStoreCore<SqliteResourceStore>();
        return services;
    }
}
