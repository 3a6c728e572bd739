using OpenChoreo.Model;

namespace OpenChoreo.Rendering.Templates;

/// <summary>A template could not be rendered; <see cref="Cause"/> names the field of the template and what went wrong.</summary>
public sealed class TemplateException(StatusCause cause) : Exception(cause.ToString())
{
    public StatusCause Cause { get; } = cause;

    public TemplateException(string field, string message) : this(new StatusCause(field, CauseReasons.Invalid, message)) { }
}
