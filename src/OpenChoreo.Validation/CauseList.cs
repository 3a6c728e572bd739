using OpenChoreo.Model;

namespace OpenChoreo.Validation;

/// <summary>Collects causes up to a cap; past it, one "too many errors" cause ends the list and walking stops.</summary>
internal sealed class CauseList(int max)
{
    private readonly List<StatusCause> _causes = [];

    public bool Full { get; private set; }

    public int Count => _causes.Count;

    public IReadOnlyList<StatusCause> Items => _causes;

    public void Add(StatusCause cause)
    {
        if (Full) return;
        if (_causes.Count >= max)
        {
            _causes.Add(new StatusCause("", CauseReasons.TooMany,
                $"too many errors: only the first {max} are reported"));
            Full = true;
            return;
        }
        _causes.Add(cause);
    }

    public void AddRange(IEnumerable<StatusCause> causes)
    {
        foreach (var c in causes) Add(c);
    }
}
