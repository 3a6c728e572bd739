using Microsoft.Extensions.DependencyInjection;

namespace OpenChoreo.Server;

/// <summary>Chooses the store back end from <c>store:driver</c>; Secret values are sealed at rest in either.</summary>
internal static class StoreRegistration
{
    public static void Add(IServiceCollection services, ControlPlaneOptions options)
    {
        switch (options.Store.Driver)
        {
            case "postgres":
                services.AddPostgresResourceStore(options.Store.PostgresConnectionString!);
                break;
            default:
                services.AddSqliteResourceStore(options.Store.SqlitePath ?? Path.Combine(options.DataDir, "store.db"));
                break;
        }
        services.AddSealedSecrets(options.Store.SecretKeyFile ?? Path.Combine(options.DataDir, "secrets.key"));
    }
}
