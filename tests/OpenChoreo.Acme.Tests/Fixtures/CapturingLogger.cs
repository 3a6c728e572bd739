using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OpenChoreo.Acme.Tests.Fixtures;

/// <summary>Collects log events (id and rendered message) so tests can check what the library reported.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> Events { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Enqueue((eventId, logLevel, formatter(state, exception)));
}
