using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers.Runtime;

/// <summary>
/// Elects one leader among control-plane replicas sharing a store, with a Lease object updated under optimistic
/// concurrency. Expiry is judged by each replica's own clock from when it last saw the lease change (as client-go does),
/// so clock skew between machines does not matter. A leader that cannot renew within the lease duration steps down.
/// </summary>
public sealed partial class LeaderElection(IResourceStore store, TimeProvider time, IOptions<LeaderElectionOptions> options,
    ILogger<LeaderElection> logger) : BackgroundService
{
    public const string LeaseKind = "Lease";
    public const string LeaseApiVersion = "internal.openchoreo.dev/v1";

    private readonly LeaderElectionOptions _o = options.Value;
    private readonly Lock _lock = new();
    private CancellationTokenSource? _term;
    private string? _observedVersion;
    private DateTimeOffset _observedAt;
    private DateTimeOffset _lastRenew;

    public string Identity { get; } = options.Value.Identity
        ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    public bool IsLeader
    {
        get { lock (_lock) return _term is { IsCancellationRequested: false }; }
    }

    private readonly List<Action<CancellationToken>> _onLeading = [];

    /// <summary>
    /// Calls <paramref name="onLeading"/> each time this replica starts leading, with a token cancelled when it stops —
    /// at once if it already leads, so a late subscriber never misses the current term.
    /// </summary>
    public void OnStartedLeading(Action<CancellationToken> onLeading)
    {
        CancellationToken? current = null;
        lock (_lock)
        {
            _onLeading.Add(onLeading);
            if (_term is { IsCancellationRequested: false } t) current = t.Token;
        }
        if (current is { } token) onLeading(token);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_o.RetryPeriod, time);
        do
        {
            try
            {
                await TryAcquireOrRenewAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogElectionError(logger, e);
                if (IsLeader && time.GetUtcNow() - _lastRenew > _o.LeaseDuration) StepDown("could not renew the lease");
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        var wasLeader = IsLeader;
        StepDown("shutting down");
        await base.StopAsync(ct);
        if (wasLeader) await ReleaseAsync(ct);
    }

    private async Task TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var key = new ResourceKey(LeaseKind, "", _o.LeaseName);
        var now = time.GetUtcNow();
        var lease = await store.GetAsync(key, ct);
        if (lease is null)
        {
            try
            {
                await store.CreateAsync(NewLease(now, transitions: 0), ct);
                BecomeLeader(now);
            }
            catch (ApiException e) when (e.Reason == StatusReasons.AlreadyExists)
            {
                // Another replica won the race.
            }
            return;
        }
        if (lease.ResourceVersion != _observedVersion)
        {
            _observedVersion = lease.ResourceVersion;
            _observedAt = now;
        }
        var holder = (string?)lease.Spec?["holderIdentity"];
        var expired = string.IsNullOrEmpty(holder) || now - _observedAt > _o.LeaseDuration;
        if (holder != Identity && !expired)
        {
            if (IsLeader) StepDown($"the lease is held by {holder}");
            return;
        }
        var transitions = lease.Spec?["leaseTransitions"] is JsonValue v && v.TryGetValue<long>(out var t) ? t : 0;
        var renewed = NewLease(now, holder == Identity ? transitions : transitions + 1);
        renewed.ResourceVersion = lease.ResourceVersion;
        if (holder == Identity && lease.Spec?["acquireTime"] is { } acquired) renewed.Spec!["acquireTime"] = acquired.DeepClone();
        try
        {
            var written = await store.UpdateAsync(renewed, UpdateScope.Main, ct);
            _observedVersion = written.ResourceVersion;
            _observedAt = now;
            if (holder != Identity) LogAcquired(logger, Identity, holder ?? "nobody");
            BecomeLeader(now);
        }
        catch (ApiException e) when (e.Reason == StatusReasons.Conflict)
        {
            if (IsLeader) StepDown("the lease was taken over");
        }
    }

    private ResourceObject NewLease(DateTimeOffset now, long transitions) => new(new JsonObject
    {
        ["apiVersion"] = LeaseApiVersion,
        ["kind"] = LeaseKind,
        ["metadata"] = new JsonObject { ["name"] = _o.LeaseName },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = Identity,
            ["leaseDurationSeconds"] = (long)_o.LeaseDuration.TotalSeconds,
            ["acquireTime"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["renewTime"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["leaseTransitions"] = transitions,
        },
    });

    private void BecomeLeader(DateTimeOffset now)
    {
        _lastRenew = now;
        CancellationToken token;
        Action<CancellationToken>[] subscribers;
        lock (_lock)
        {
            if (_term is { IsCancellationRequested: false }) return;
            _term = new CancellationTokenSource();
            token = _term.Token;
            subscribers = _onLeading.ToArray();
        }
        LogStarted(logger, Identity);
        foreach (var s in subscribers) s(token);
    }

    private void StepDown(string why)
    {
        CancellationTokenSource? term;
        lock (_lock)
        {
            term = _term;
            _term = null;
        }
        if (term is null) return;
        LogStopped(logger, Identity, why);
        term.Cancel();
        term.Dispose();
    }

    /// <summary>Hands the lease over at shutdown so another replica takes over at once instead of after expiry.</summary>
    private async Task ReleaseAsync(CancellationToken ct)
    {
        try
        {
            var lease = await store.GetAsync(new ResourceKey(LeaseKind, "", _o.LeaseName), ct);
            if ((string?)lease?.Spec?["holderIdentity"] != Identity) return;
            lease!.Spec!["holderIdentity"] = "";
            await store.UpdateAsync(lease, UpdateScope.Main, ct);
        }
        catch (Exception e) when (e is ApiException or OperationCanceledException)
        {
            // Best effort: the lease expires anyway.
        }
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "{Identity} is now the controller leader")]
    private static partial void LogStarted(ILogger logger, string identity);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "{Identity} stopped leading: {Reason}")]
    private static partial void LogStopped(ILogger logger, string identity, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Identity} took over the controller lease from {Previous}")]
    private static partial void LogAcquired(ILogger logger, string identity, string previous);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Leader election failed this round")]
    private static partial void LogElectionError(ILogger logger, Exception e);
}
