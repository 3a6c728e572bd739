namespace OpenChoreo.Certificates;

/// <summary>An issuance failure the controller already classified: <see cref="Reason"/> goes to the Ready condition.</summary>
internal sealed class IssuanceException(string reason, string message, bool retry = true) : Exception(message)
{
    public string Reason { get; } = reason;

    /// <summary>False when retrying cannot help until something changes (the change wakes the Certificate).</summary>
    public bool Retry { get; } = retry;
}
