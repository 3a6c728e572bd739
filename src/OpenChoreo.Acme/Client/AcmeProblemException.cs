namespace OpenChoreo.Acme;

/// <summary>The ACME server answered with a problem document, or an order/authorization/challenge failed with one.</summary>
public class AcmeProblemException(AcmeProblem problem, int? httpStatus, string? context = null)
    : AcmeException(Describe(problem, httpStatus, context))
{
    public AcmeProblem Problem { get; } = problem;

    /// <summary>The full error type, e.g. <c>urn:ietf:params:acme:error:unauthorized</c>.</summary>
    public string? Type => Problem.Type;

    public string? Detail => Problem.Detail;

    public IReadOnlyList<AcmeProblem> Subproblems => Problem.Subproblems ?? [];

    /// <summary>The HTTP status of the response, or the problem's own status for a failed challenge.</summary>
    public int? Status { get; } = httpStatus ?? problem.Status;

    private static string Describe(AcmeProblem problem, int? status, string? context) =>
        (context is null ? "" : context + ": ") + "the ACME server reported " + problem + (status is { } s ? $" (HTTP {s})" : "");
}

/// <summary>The server refused because a rate limit was hit (<c>rateLimited</c> or HTTP 429). Retrying sooner than
/// <see cref="RetryAfter"/> only extends the block.</summary>
public sealed class AcmeRateLimitedException(AcmeProblem problem, int? httpStatus, DateTimeOffset? retryAfter, string? context = null)
    : AcmeProblemException(problem, httpStatus, context)
{
    /// <summary>When the server says a retry may succeed (from Retry-After), if it said.</summary>
    public DateTimeOffset? RetryAfter { get; } = retryAfter;
}
