namespace OpenChoreo.Acme;

/// <summary>Base of every error this library raises: the message is written to be shown to an operator as-is.</summary>
public class AcmeException : Exception
{
    public AcmeException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The ACME server could not be reached (refused, timed out, TLS failure or 5xx) after bounded retries.</summary>
public sealed class AcmeServerUnavailableException(string message, int attempts, Exception? inner = null) : AcmeException(message, inner)
{
    public int Attempts { get; } = attempts;
}

/// <summary>The request cannot be served by the chosen solver (for example HTTP-01 for a wildcard name). Raised before
/// any request is sent.</summary>
public sealed class UnsupportedChallengeException(string message) : AcmeException(message);

/// <summary>A challenge solver could not publish or remove its answer (DNS update refused, provider API error…).</summary>
public sealed class ChallengeSolverException(string message, string? code = null, Exception? inner = null) : AcmeException(message, inner)
{
    /// <summary>A short machine-readable reason such as the DNS response code (<c>Refused</c>, <c>NotAuth</c>) or a provider error code.</summary>
    public string? Code { get; } = code;
}

/// <summary>An operation did not reach the wanted state before its deadline.</summary>
public sealed class AcmeTimeoutException(string message) : AcmeException(message);
