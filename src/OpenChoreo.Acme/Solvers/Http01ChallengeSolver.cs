namespace OpenChoreo.Acme;

/// <summary>Answers HTTP-01 through an <see cref="Http01ChallengeStore"/> served on port 80 by
/// <see cref="Http01ChallengeEndpoints"/>. Cannot validate wildcard names (RFC 8555 section 7.1.3).</summary>
public sealed class Http01ChallengeSolver(Http01ChallengeStore store) : IChallengeSolver
{
    public string ChallengeType => AcmeChallengeTypes.Http01;

    public Http01ChallengeStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));

    public Task PresentAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IsWildcard) throw new UnsupportedChallengeException(Http01Wildcard.Message("*." + request.Domain));
        Store.Add(request.Token, request.KeyAuthorization);
        return Task.CompletedTask;
    }

    public Task CleanupAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Store.Remove(request.Token);
        return Task.CompletedTask;
    }
}

internal static class Http01Wildcard
{
    public static string Message(string name) =>
        $"'{name}' is a wildcard name and HTTP-01 cannot validate wildcards. Use DNS-01 (RFC 2136 or a DNS provider) or bring your own certificate.";
}
