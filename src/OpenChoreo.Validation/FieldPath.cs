using System.Text;

namespace OpenChoreo.Validation;

/// <summary>
/// A Kubernetes-style field path (<c>spec.traits[0].instanceName</c>, <c>spec.parameters[key]</c>). Immutable and
/// linked to its parent, so descending costs one allocation and the string is only built when an error is reported.
/// </summary>
public sealed class FieldPath
{
    private readonly FieldPath? _parent;
    private readonly string? _name;
    private readonly string? _key;
    private readonly int _index;

    private FieldPath(FieldPath? parent, string? name, string? key, int index)
    {
        _parent = parent;
        _name = name;
        _key = key;
        _index = index;
    }

    /// <summary>The empty path (the object itself).</summary>
    public static FieldPath Root { get; } = new(null, null, null, -1);

    public static FieldPath Of(string name) => Root.Child(name);

    /// <summary>A named field of an object.</summary>
    public FieldPath Child(string name) => new(this, name, null, -1);

    /// <summary>An element of a list.</summary>
    public FieldPath Index(int index) => new(this, null, null, index);

    /// <summary>A value of a map (additionalProperties).</summary>
    public FieldPath Key(string key) => new(this, null, key, -1);

    public override string ToString()
    {
        if (_parent is null) return "";
        var sb = new StringBuilder();
        Append(sb);
        return sb.ToString();
    }

    private void Append(StringBuilder sb)
    {
        if (_parent is null) return;
        _parent.Append(sb);
        if (_name is not null)
        {
            if (sb.Length > 0) sb.Append('.');
            sb.Append(_name);
        }
        else if (_key is not null)
        {
            sb.Append('[').Append(_key).Append(']');
        }
        else
        {
            sb.Append('[').Append(_index).Append(']');
        }
    }
}
