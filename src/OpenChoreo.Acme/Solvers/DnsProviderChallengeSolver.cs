using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenChoreo.Acme;

/// <summary>How a provider-backed DNS-01 solver waits for its records to be served.</summary>
public sealed record DnsProviderSolverOptions
{
    public int Ttl { get; init; } = 60;

    /// <summary>An authoritative server to ask until the record appears; null trusts the provider's answer as is.</summary>
    public DnsTxtProbe? PropagationProbe { get; init; }

    public TimeSpan PropagationTimeout { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan PropagationPollInterval { get; init; } = TimeSpan.FromSeconds(2);
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Answers DNS-01 through an <see cref="IDnsProvider"/> API.</summary>
public sealed class DnsProviderChallengeSolver(IDnsProvider provider, DnsProviderSolverOptions? options = null, ILogger<DnsProviderChallengeSolver>? logger = null) : IChallengeSolver
{
    private readonly IDnsProvider _provider = provider ?? throw new ArgumentNullException(nameof(provider));
    private readonly DnsProviderSolverOptions _options = options ?? new();
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly ConcurrentDictionary<(string, string), DnsRecordHandle> _created = new();

    public string ChallengeType => AcmeChallengeTypes.Dns01;

    public async Task PresentAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Dns01RecordName;
        AcmeLog.ProviderCall(_logger, _provider.Name, "create", name);
        var handle = await _provider.CreateTxtRecordAsync(name, request.Dns01TxtValue, _options.Ttl, cancellationToken).ConfigureAwait(false);
        _created[(name, request.Dns01TxtValue)] = handle;
        if (_options.PropagationProbe is { } probe)
            await probe.WaitAsync(name, request.Dns01TxtValue, present: true, _options.PropagationTimeout, _options.PropagationPollInterval,
                _options.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    public async Task CleanupAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Dns01RecordName;
        if (!_created.TryRemove((name, request.Dns01TxtValue), out var handle)) return;
        AcmeLog.ProviderCall(_logger, _provider.Name, "delete", name);
        await _provider.DeleteTxtRecordAsync(handle, cancellationToken).ConfigureAwait(false);
    }
}
