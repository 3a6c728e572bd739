using System.Net;

namespace OpenChoreo.Runtime.Podman;

/// <summary>A non-success answer of the podman REST API.</summary>
public sealed class PodmanApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
