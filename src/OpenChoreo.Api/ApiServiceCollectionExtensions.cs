using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenChoreo.Api.Auth;
using OpenChoreo.Api.Bootstrap;
using OpenChoreo.Api.Http;
using OpenChoreo.Api.Resources;
using OpenChoreo.Api.Tasks;
using OpenChoreo.Model;
using OpenChoreo.Store;
using OpenChoreo.Validation;

namespace OpenChoreo.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Registers the API server's services. A store (<see cref="IResourceStore"/>) must be registered too.</summary>
    public static IServiceCollection AddOpenChoreoApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(KindRegistry.Default);
        // CRD patterns are fixed and simple; a generous timeout keeps a busy machine from failing valid input.
        services.AddSingleton(new ObjectValidator(options: new ValidationOptions { PatternTimeout = TimeSpan.FromSeconds(2) }));
        services.AddSingleton<IAdmission, SchemaAdmission>();
        services.AddSingleton<IAdmission, RenderingAdmissionAdapter>();
        services.AddSingleton<ResourceService>();
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<ApprovalPolicy>();
        services.AddSingleton<DeliveryService>();
        services.AddSingleton<ReadinessGate>();
        services.AddHostedService<DefaultResourcesBootstrapper>();
        services.AddRouting();
        return services;
    }

    /// <summary>Adds the middleware and routes: errors → Status bodies, authentication, health, resources.</summary>
    public static WebApplication UseOpenChoreoApi(this WebApplication app)
    {
        app.UseRouting();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseMiddleware<TokenAuthenticationMiddleware>();
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        app.MapGet("/livez", () => Results.Text("ok")).AllowAnonymous();
        app.MapGet("/readyz", async (ReadinessGate gate, IResourceStore store, CancellationToken ct) =>
        {
            if (!gate.IsReady) return Results.Text("bootstrapping", statusCode: 503);
            await store.GetRevisionAsync(ct);
            return Results.Text("ok");
        }).AllowAnonymous();
        app.MapGet("/version", (HttpContext c) => BodyCodec.WriteAsync(c, new JsonObject
        {
            ["version"] = typeof(ApiServiceCollectionExtensions).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0",
            ["apiVersion"] = KindRegistry.GroupVersion,
            ["upstreamCompatibility"] = "OpenChoreo v0.8",
        }));
        app.MapSchemaApi();
        app.MapResourceApi();
        app.MapTaskApi();
        return app;
    }
}
