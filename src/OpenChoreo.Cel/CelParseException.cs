namespace OpenChoreo.Cel;

/// <summary>The expression text is not valid CEL. <see cref="Line"/> and <see cref="Column"/> are 1-based.</summary>
public sealed class CelParseException : Exception
{
    public CelParseException(string reason, int line, int column, string expression)
        : base($"ERROR: <input>:{line}:{column}: {reason}")
    {
        Reason = reason;
        Line = line;
        Column = column;
        Expression = expression;
    }

    /// <summary>The error without its position.</summary>
    public string Reason { get; }

    public int Line { get; }

    public int Column { get; }

    public string Expression { get; }

    internal static CelParseException At(string source, int offset, string reason)
    {
        int line = 1, col = 1;
        for (int i = 0; i < offset && i < source.Length; i++)
        {
            if (source[i] == '\n') { line++; col = 1; }
            else if (!char.IsLowSurrogate(source[i])) { col++; }
        }
        return new CelParseException(reason, line, col, source);
    }
}
