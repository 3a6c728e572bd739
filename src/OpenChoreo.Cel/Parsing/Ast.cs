namespace OpenChoreo.Cel.Parsing;

/// <summary>Parsed CEL expression tree. Operators are calls with the canonical CEL names (<c>_+_</c>, <c>_[_]</c>...).</summary>
internal abstract record Expr(int Offset);

internal sealed record ConstExpr(int Offset, CelValue Value) : Expr(Offset);

/// <summary>An identifier; <see cref="Absolute"/> when written with a leading dot (<c>.a.b</c>).</summary>
internal sealed record IdentExpr(int Offset, string Name, bool Absolute = false) : Expr(Offset);

/// <summary><c>operand.field</c>; <see cref="TestOnly"/> for <c>has()</c>, <see cref="Optional"/> for <c>.?field</c>.</summary>
internal sealed record SelectExpr(int Offset, Expr Operand, string Field, bool TestOnly, bool Optional) : Expr(Offset);

internal sealed record CallExpr(int Offset, Expr? Target, string Function, Expr[] Args) : Expr(Offset);

internal sealed record ListExpr(int Offset, Expr[] Elements, bool[] OptionalElements) : Expr(Offset);

internal sealed record MapEntry(Expr Key, Expr Value, bool Optional);

internal sealed record MapExpr(int Offset, MapEntry[] Entries) : Expr(Offset);

internal sealed record FieldInit(string Field, Expr Value, bool Optional);

/// <summary>Message construction <c>Type{field: value}</c>; parsed, rejected at evaluation (no message types).</summary>
internal sealed record StructExpr(int Offset, string TypeName, FieldInit[] Fields) : Expr(Offset);

internal enum ComprehensionKind
{
    All,
    Exists,
    ExistsOne,
    Map,
    MapFilter,
    Filter,
    TransformList,
    TransformListFilter,
    TransformMap,
    TransformMapFilter,
    TransformMapEntry,
    Bind,
    OptMap,
    OptFlatMap,
    SortBy,
}

/// <summary>
/// A macro expanded into a loop over <see cref="Range"/>. <see cref="Var2"/> is the second variable of the
/// two-variable forms (index/key and value). <see cref="Filter"/> is the optional predicate of the filtering forms.
/// For <c>cel.bind</c>, Range is the bound value and Body the result.
/// </summary>
internal sealed record ComprehensionExpr(
    int Offset, ComprehensionKind Kind, string Var, string? Var2, Expr Range, Expr Body, Expr? Filter) : Expr(Offset);
