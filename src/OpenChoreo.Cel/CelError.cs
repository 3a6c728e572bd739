namespace OpenChoreo.Cel;

/// <summary>An evaluation error: its kind, a message, and where in the expression it arose (offset, -1 if unknown).</summary>
public sealed class CelError
{
    public CelError(CelErrorKind kind, string message, int offset = -1)
    {
        Kind = kind;
        Message = message;
        Offset = offset;
    }

    public CelErrorKind Kind { get; }

    public string Message { get; }

    /// <summary>Character offset into the source of the sub-expression that failed; -1 when unknown.</summary>
    public int Offset { get; }

    /// <summary>1-based line of the failing sub-expression, 0 when unknown.</summary>
    public int Line { get; private init; }

    /// <summary>1-based column of the failing sub-expression, 0 when unknown.</summary>
    public int Column { get; private init; }

    /// <summary>True when the error means data was absent (missing key, field or variable) rather than wrong.</summary>
    public bool IsMissingData => Kind is CelErrorKind.NoSuchKey or CelErrorKind.NoSuchField or CelErrorKind.NoSuchVariable;

    internal CelError WithOffset(int offset) => Offset >= 0 ? this : new CelError(Kind, Message, offset);

    internal CelError WithPosition(string source)
    {
        if (Offset < 0 || Line > 0) return this;
        var p = CelParseException.At(source, Offset, "");
        return new CelError(Kind, Message, Offset) { Line = p.Line, Column = p.Column };
    }

    public override string ToString() => Line > 0 ? $"<input>:{Line}:{Column}: {Message}" : Message;
}
