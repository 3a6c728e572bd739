using System.Diagnostics.Metrics;

namespace OpenChoreo.Controllers.Runtime;

/// <summary>Queue depth, reconcile latency, errors and skipped status-only events per controller (meter <c>OpenChoreo.Controllers</c>).</summary>
public sealed class ControllerMetrics : IDisposable
{
    public const string MeterName = "OpenChoreo.Controllers";
    private readonly Meter _meter;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _reconciles;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _skipped;
    private readonly Dictionary<string, Func<int>> _depths = [];
    private readonly Lock _lock = new();

    public ControllerMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _latency = _meter.CreateHistogram<double>("openchoreo.controller.reconcile.duration", "ms", "Time spent in one reconcile");
        _reconciles = _meter.CreateCounter<long>("openchoreo.controller.reconcile.count", description: "Reconciles run");
        _errors = _meter.CreateCounter<long>("openchoreo.controller.reconcile.errors", description: "Reconciles that failed or threw");
        _skipped = _meter.CreateCounter<long>("openchoreo.controller.watch.status_only_skipped", description: "Watch events dropped because only status changed");
        _meter.CreateObservableGauge("openchoreo.controller.queue.depth", ObserveDepths, description: "Keys waiting in each controller's queue");
    }

    public void TrackQueue(string controller, Func<int> depth)
    {
        lock (_lock) _depths[controller] = depth;
    }

    public void Reconciled(string controller, double ms, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("controller", controller);
        _latency.Record(ms, tag);
        _reconciles.Add(1, tag);
        if (failed) _errors.Add(1, tag);
    }

    public void SkippedStatusOnly(string controller) => _skipped.Add(1, new KeyValuePair<string, object?>("controller", controller));

    private IEnumerable<Measurement<int>> ObserveDepths()
    {
        lock (_lock)
        {
            return _depths.Select(d => new Measurement<int>(d.Value(), new KeyValuePair<string, object?>("controller", d.Key))).ToArray();
        }
    }

    public void Dispose() => _meter.Dispose();
}
