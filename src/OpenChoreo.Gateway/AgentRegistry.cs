using System.Collections.Concurrent;
using OpenChoreo.Pki;

namespace OpenChoreo.Gateway;

/// <summary>The agent connections this replica holds, by plane identity (several per plane are allowed).</summary>
public sealed class AgentRegistry
{
    private readonly ConcurrentDictionary<string, ImmutableSessions> _byPlane = new(StringComparer.Ordinal);
    private int _count;

    private sealed record ImmutableSessions(AgentSession[] Items);

    public int Count => Volatile.Read(ref _count);

    /// <summary>Raised after a session is added or removed (argument: the plane).</summary>
    public event Action<PlaneIdentity>? Changed;

    public void Add(AgentSession session)
    {
        _byPlane.AddOrUpdate(session.Identity.ToString(), _ => new([session]), (_, s) => new([.. s.Items, session]));
        Interlocked.Increment(ref _count);
        Changed?.Invoke(session.Identity);
    }

    public void Remove(AgentSession session)
    {
        var key = session.Identity.ToString();
        while (_byPlane.TryGetValue(key, out var current))
        {
            if (!current.Items.Contains(session)) return;
            var next = current.Items.Where(s => s != session).ToArray();
            var ok = next.Length == 0
                ? _byPlane.TryRemove(new KeyValuePair<string, ImmutableSessions>(key, current))
                : _byPlane.TryUpdate(key, new(next), current);
            if (ok)
            {
                Interlocked.Decrement(ref _count);
                Changed?.Invoke(session.Identity);
                return;
            }
        }
    }

    public IReadOnlyList<AgentSession> Sessions(PlaneIdentity identity) =>
        _byPlane.TryGetValue(identity.ToString(), out var s) ? s.Items : [];

    /// <summary>The newest open session of a plane, or null.</summary>
    public AgentSession? Find(PlaneIdentity identity) =>
        Sessions(identity).LastOrDefault(s => s.Connection.IsOpen);

    public IEnumerable<AgentSession> All() => _byPlane.Values.SelectMany(s => s.Items);
}
