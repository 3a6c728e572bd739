namespace OpenChoreo.Cel.Runtime;

/// <summary>Error values used across the built-ins.</summary>
internal static class Err
{
    public static CelValue NoOverload(string function, CelValue a) =>
        CelValue.FromError(CelErrorKind.NoSuchOverload, $"no such overload: {function}({TypeName(a)})");

    public static CelValue NoOverload(string function, CelValue a, CelValue b) =>
        CelValue.FromError(CelErrorKind.NoSuchOverload, $"no such overload: {function}({TypeName(a)}, {TypeName(b)})");

    public static CelValue NoOverload(string function, ReadOnlySpan<CelValue> args)
    {
        var names = new string[args.Length];
        for (int i = 0; i < args.Length; i++) names[i] = TypeName(args[i]);
        return CelValue.FromError(CelErrorKind.NoSuchOverload, $"no such overload: {function}({string.Join(", ", names)})");
    }

    public static CelValue Overflow(string what = "integer overflow") => CelValue.FromError(CelErrorKind.Overflow, what);

    public static CelValue DivByZero() => CelValue.FromError(CelErrorKind.DivisionByZero, "division by zero");

    public static CelValue ModByZero() => CelValue.FromError(CelErrorKind.DivisionByZero, "modulus by zero");

    public static CelValue NoSuchKey(CelValue key) => CelValue.FromError(CelErrorKind.NoSuchKey, $"no such key: {KeyText(key)}");

    public static CelValue NoSuchKey(string key) => CelValue.FromError(CelErrorKind.NoSuchKey, $"no such key: {key}");

    public static CelValue Invalid(string message) => CelValue.FromError(CelErrorKind.InvalidArgument, message);

    public static CelValue Index(long i, int count) =>
        CelValue.FromError(CelErrorKind.IndexOutOfRange, $"index out of bounds: {i} (list size {count})");

    private static string KeyText(CelValue key) => key.Kind == CelKind.String ? key.AsString : key.ToString();

    public static string TypeName(CelValue v) => v.Kind switch
    {
        CelKind.Error => "error",
        _ => CelType.Of(v.Kind).Name,
    };
}
