namespace OpenChoreo.Acme;

/// <summary>One challenge to answer: the identifier being validated, the server's token and our key authorization.</summary>
/// <param name="Domain">The identifier without any wildcard prefix (for <c>*.apps.example.com</c> this is <c>apps.example.com</c>).</param>
/// <param name="IsWildcard">Whether the authorization is for the wildcard form of <paramref name="Domain"/>.</param>
public sealed record ChallengeRequest(string Domain, string Token, string KeyAuthorization, bool IsWildcard = false)
{
    /// <summary>The DNS-01 record name: <c>_acme-challenge.&lt;domain&gt;</c>.</summary>
    public string Dns01RecordName => "_acme-challenge." + Domain.TrimEnd('.');

    /// <summary>The DNS-01 TXT value: base64url(SHA-256(key authorization)).</summary>
    public string Dns01TxtValue => AcmeAccountKey.Dns01TxtValue(KeyAuthorization);

    // The key authorization is a secret-ish proof: keep it out of logs and exception text.
    public override string ToString() => $"{(IsWildcard ? "*." : "")}{Domain}";
}

/// <summary>Publishes and removes the answer to one kind of ACME challenge.</summary>
public interface IChallengeSolver
{
    /// <summary>The ACME challenge type this solver answers (<see cref="AcmeChallengeTypes"/>).</summary>
    string ChallengeType { get; }

    /// <summary>Puts the answer in place and returns once the ACME server can see it.</summary>
    Task PresentAsync(ChallengeRequest request, CancellationToken cancellationToken);

    /// <summary>Removes the answer; must tolerate a request whose answer is already gone.</summary>
    Task CleanupAsync(ChallengeRequest request, CancellationToken cancellationToken);
}
