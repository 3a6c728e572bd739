namespace OpenChoreo.Cel;

/// <summary>Why an evaluation produced an error value.</summary>
public enum CelErrorKind
{
    /// <summary>A map has no such key (<c>m['k']</c>, <c>m.k</c>).</summary>
    NoSuchKey,

    /// <summary>A field is missing on a value that has fields, or fields were selected from a non-map value.</summary>
    NoSuchField,

    /// <summary>An identifier is not bound to a variable.</summary>
    NoSuchVariable,

    /// <summary>No overload of a function accepts these argument types, or the function is unknown.</summary>
    NoSuchOverload,

    /// <summary>Integer overflow or a value out of the range of its type.</summary>
    Overflow,

    DivisionByZero,

    IndexOutOfRange,

    /// <summary>An argument has the right type but a value the function rejects (bad format, bad regex...).</summary>
    InvalidArgument,

    /// <summary>The evaluation ran past its cost budget (iterations, calls, built sizes).</summary>
    BudgetExceeded,

    /// <summary>A custom function threw; the message says which.</summary>
    FunctionFailed,

    /// <summary>A defect in this library surfaced as an exception; reported as a value rather than thrown.</summary>
    Internal,
}
