using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenChoreo.Model;

namespace OpenChoreo.Api.Http;

/// <summary>Turns every failure into a Kubernetes-Status-shaped body; unexpected ones become a 500 without details.</summary>
public sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        try
        {
            await next(ctx);
        }
        catch (ApiException e) when (!ctx.Response.HasStarted)
        {
            await BodyCodec.WriteErrorAsync(ctx, e);
        }
        catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
        {
            await BodyCodec.WriteErrorAsync(ctx, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiException.TooLarge(ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0)
                : ApiException.BadRequest(e.Message));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (!ctx.Response.HasStarted)
        {
            LogUnhandled(logger, e, ctx.Request.Method, ctx.Request.Path);
            await BodyCodec.WriteErrorAsync(ctx, new ApiException(500, StatusReasons.InternalError,
                "an internal error occurred; see the control-plane log"));
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "Unhandled error serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception e, string method, string path);
}
