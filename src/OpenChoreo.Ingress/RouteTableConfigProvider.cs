using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using OpenChoreo.Runtime.Podman;
using Yarp.ReverseProxy.Configuration;

namespace OpenChoreo.Ingress;

/// <summary>
/// Feeds YARP from an <see cref="IRouteTable"/>: every change of the table builds a whole new snapshot off the
/// runtime's thread and swaps it in one step (then signals YARP), so a request sees either the old or the new routes,
/// never a mix. Open connections are untouched.
/// </summary>
internal sealed class RouteTableConfigProvider : IProxyConfigProvider, IConfigChangeListener, IAsyncDisposable
{
    private readonly IRouteTable _table;
    private readonly IngressOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _kick = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile Config _config;
    private long _built, _applied;

    public RouteTableConfigProvider(IRouteTable table, IngressOptions options, ILogger logger)
    {
        _table = table;
        _options = options;
        _logger = logger;
        _config = Rebuild(1);
        _table.RoutesChanged += OnRoutesChanged;
        _loop = LoopAsync();
    }

    public IngressSnapshot Snapshot => _config.Snapshot;

    /// <summary>Revision of the newest snapshot YARP has applied (0 before the first).</summary>
    public long AppliedRevision => Interlocked.Read(ref _applied);

    /// <summary>Revision of the newest snapshot built.</summary>
    public long BuiltRevision => Interlocked.Read(ref _built);

    public IProxyConfig GetConfig() => _config;

    private void OnRoutesChanged()
    {
        try { _kick.Release(); }
        catch (SemaphoreFullException) { } // a rebuild is already pending; it reads the newest table
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            try { await _kick.WaitAsync(_stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            try
            {
                var previous = _config;
                _config = Rebuild(Interlocked.Read(ref _built) + 1);
                previous.Signal();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                IngressLog.RebuildFailed(_logger, e);
            }
        }
    }

    private Config Rebuild(long revision)
    {
        var snapshot = ProxyConfigBuilder.Build(_table.Routes, _options);
        foreach (var r in snapshot.Rejected) IngressLog.RouteRejected(_logger, r.Release, r.Namespace, r.Name, r.Problem);
        Interlocked.Exchange(ref _built, revision);
        IngressLog.RoutesUpdated(_logger, revision, snapshot.Routes.Count, snapshot.Clusters.Count, snapshot.Rejected.Count);
        return new Config(snapshot, revision);
    }

    void IConfigChangeListener.ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
        foreach (var c in proxyConfigs)
            if (c is Config mine && mine.Revision > Interlocked.Read(ref _applied)) Interlocked.Exchange(ref _applied, mine.Revision);
    }

    void IConfigChangeListener.ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => IngressLog.ApplyFailed(_logger, exception);

    void IConfigChangeListener.ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception) => IngressLog.ApplyFailed(_logger, exception);

    void IConfigChangeListener.ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs) { }

    public async ValueTask DisposeAsync()
    {
        _table.RoutesChanged -= OnRoutesChanged;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Config : IProxyConfig
    {
        private readonly CancellationTokenSource _changed = new();

        public Config(IngressSnapshot snapshot, long revision)
        {
            Snapshot = snapshot;
            Revision = revision;
            ChangeToken = new CancellationChangeToken(_changed.Token);
        }

        public IngressSnapshot Snapshot { get; }
        public long Revision { get; }
        public string RevisionId => Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        public IReadOnlyList<RouteConfig> Routes => Snapshot.Routes;
        public IReadOnlyList<ClusterConfig> Clusters => Snapshot.Clusters;

        /// <summary>Fires once, when the next snapshot replaces this one; YARP then re-reads GetConfig().</summary>
        public IChangeToken ChangeToken { get; }

        public void Signal() => _changed.Cancel();
    }
}
