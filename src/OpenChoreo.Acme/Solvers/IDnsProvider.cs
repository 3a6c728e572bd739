namespace OpenChoreo.Acme;

/// <summary>A TXT record a provider created, with whatever it needs to delete exactly that record again.</summary>
public sealed record DnsRecordHandle(string Name, string Value, string? ZoneId = null, string? RecordId = null);

/// <summary>
/// A DNS hosting API that can create and delete TXT records (Cloudflare, Route 53, a company webhook…). A provider is a
/// small class: <see cref="DnsProviderChallengeSolver"/> does the ACME side.
/// </summary>
public interface IDnsProvider
{
    /// <summary>A short name for logs and errors, e.g. <c>cloudflare</c>.</summary>
    string Name { get; }

    /// <summary>Creates a TXT record <paramref name="name"/> (fully qualified, no trailing dot) with <paramref name="value"/>.</summary>
    /// <exception cref="ChallengeSolverException">The API refused or failed.</exception>
    Task<DnsRecordHandle> CreateTxtRecordAsync(string name, string value, int ttl, CancellationToken cancellationToken);

    /// <summary>Deletes a record made by <see cref="CreateTxtRecordAsync"/>; a record already gone is not an error.</summary>
    Task DeleteTxtRecordAsync(DnsRecordHandle record, CancellationToken cancellationToken);
}
