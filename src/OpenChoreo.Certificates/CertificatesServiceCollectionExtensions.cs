using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenChoreo.Acme;
using OpenChoreo.Certificates;
using OpenChoreo.Controllers.Runtime;

namespace Microsoft.Extensions.DependencyInjection;

public static class CertificatesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Certificate, Issuer and ClusterIssuer reconcilers, their options (section <c>certificates</c> when
    /// <paramref name="configuration"/> is given) and the shared <see cref="Http01ChallengeStore"/> singleton that the
    /// port-80 listeners serve (<c>app.UseAcmeHttp01Challenges(sp.GetRequiredService&lt;Http01ChallengeStore&gt;())</c>).
    /// Idempotent; a store registered before is kept.
    /// </summary>
    public static IServiceCollection AddOpenChoreoCertificates(this IServiceCollection services, IConfiguration? configuration = null,
        Action<CertificatesOptions>? configure = null)
    {
        var options = services.AddOptions<CertificatesOptions>();
        if (configuration is not null) options.Bind(configuration.GetSection(CertificatesOptions.Section));
        if (configure is not null) options.Configure(configure);
        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<Http01ChallengeStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, CertificateReconciler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, IssuerReconciler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReconciler, ClusterIssuerReconciler>());
        return services;
    }
}
