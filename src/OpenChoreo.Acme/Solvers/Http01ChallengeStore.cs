using System.Collections.Concurrent;

namespace OpenChoreo.Acme;

/// <summary>
/// The HTTP-01 answers currently published, shared between the solver (writer) and the
/// <c>/.well-known/acme-challenge/{token}</c> responder (reader). Bounded; tokens are checked for shape.
/// </summary>
public sealed class Http01ChallengeStore
{
    public const int MaxTokenLength = 256;
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public int Count => _answers.Count;

    public void Add(string token, string keyAuthorization)
    {
        if (!IsValidToken(token)) throw new ArgumentException("An ACME token is 1-256 base64url characters.", nameof(token));
        ArgumentException.ThrowIfNullOrEmpty(keyAuthorization);
        if (!keyAuthorization.StartsWith(token + ".", StringComparison.Ordinal))
            throw new ArgumentException("The key authorization must start with the token and a dot.", nameof(keyAuthorization));
        if (_answers.Count >= MaxEntries && !_answers.ContainsKey(token))
            throw new InvalidOperationException($"The HTTP-01 store already holds {MaxEntries} answers; earlier challenges were not cleaned up.");
        _answers[token] = keyAuthorization;
    }

    public bool Remove(string token) => _answers.TryRemove(token, out _);

    public bool TryGet(string token, out string keyAuthorization)
    {
        keyAuthorization = "";
        return IsValidToken(token) && _answers.TryGetValue(token, out keyAuthorization!);
    }

    public static bool IsValidToken(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength) return false;
        foreach (var c in token)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        return true;
    }
}
