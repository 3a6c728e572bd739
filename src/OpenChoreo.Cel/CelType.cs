namespace OpenChoreo.Cel;

/// <summary>A CEL type used as a value (<c>type(x)</c>, <c>int</c>, <c>list</c>...). Compared by name.</summary>
public sealed class CelType : IEquatable<CelType>
{
    private CelType(string name) => Name = name;

    public string Name { get; }

    public static readonly CelType Null = new("null_type");
    public static readonly CelType Bool = new("bool");
    public static readonly CelType Int = new("int");
    public static readonly CelType Uint = new("uint");
    public static readonly CelType Double = new("double");
    public static readonly CelType String = new("string");
    public static readonly CelType Bytes = new("bytes");
    public static readonly CelType List = new("list");
    public static readonly CelType Map = new("map");
    public static readonly CelType Timestamp = new("google.protobuf.Timestamp");
    public static readonly CelType Duration = new("google.protobuf.Duration");
    public static readonly CelType Type = new("type");
    public static readonly CelType Optional = new("optional_type");
    public static readonly CelType Error = new("error");

    private static readonly Dictionary<string, CelType> ByName = new[]
    {
        Null, Bool, Int, Uint, Double, String, Bytes, List, Map, Timestamp, Duration, Type, Optional,
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The built-in type named <paramref name="name"/> (as an identifier would resolve it), if any.</summary>
    internal static CelType? Find(string name) => ByName.GetValueOrDefault(name);

    internal static CelType Of(CelKind kind) => kind switch
    {
        CelKind.Null => Null,
        CelKind.Bool => Bool,
        CelKind.Int => Int,
        CelKind.Uint => Uint,
        CelKind.Double => Double,
        CelKind.String => String,
        CelKind.Bytes => Bytes,
        CelKind.List => List,
        CelKind.Map => Map,
        CelKind.Timestamp => Timestamp,
        CelKind.Duration => Duration,
        CelKind.Type => Type,
        CelKind.Optional => Optional,
        _ => Error,
    };

    public bool Equals(CelType? other) => other is not null && other.Name == Name;

    public override bool Equals(object? obj) => obj is CelType t && Equals(t);

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Name;
}
