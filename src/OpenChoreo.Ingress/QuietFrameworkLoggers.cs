using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpenChoreo.Ingress;

/// <summary>
/// The gateway's view of the host's logger factory: YARP and ASP.NET Core log each proxied URL (query string included)
/// at Information, which would put tokens in the log. Their categories get Warning and up; the gateway's own access
/// log (no path, no query) stays the one line per request.
/// </summary>
internal sealed class QuietFrameworkLoggers(ILoggerFactory inner) : ILoggerFactory
{
    private static readonly string[] Noisy = ["Yarp.", "Microsoft.AspNetCore.", "Microsoft.Hosting.", "Microsoft.Extensions.Hosting."];

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return Noisy.Any(p => categoryName.StartsWith(p, StringComparison.Ordinal)) ? new WarningAndUp(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>Not owned: the host's factory outlives the gateway.</summary>
    public void Dispose() { }

    private sealed class WarningAndUp(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    public static ILoggerFactory Wrap(ILoggerFactory? loggers) => loggers is null or NullLoggerFactory ? NullLoggerFactory.Instance : new QuietFrameworkLoggers(loggers);
}
