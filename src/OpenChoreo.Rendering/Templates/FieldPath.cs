namespace OpenChoreo.Rendering.Templates;

/// <summary>
/// A field path built lazily: rendering walks every node of a template, but the path text is only needed for an
/// error, so each step costs one small object instead of a string concatenation.
/// </summary>
internal sealed class FieldPath
{
    private readonly FieldPath? _parent;
    private readonly string? _key;
    private readonly int _index;
    private string? _text;

    private FieldPath(string root) => _text = root;

    public FieldPath(FieldPath parent, string key)
    {
        _parent = parent;
        _key = key;
    }

    public FieldPath(FieldPath parent, int index)
    {
        _parent = parent;
        _index = index;
    }

    public static implicit operator FieldPath(string root) => new(root);

    public static implicit operator string(FieldPath path) => path.ToString();

    public override string ToString() =>
        _text ??= _key is not null ? Schema.ShorthandSchema.Join(_parent!.ToString(), _key) : $"{_parent}[{_index}]";
}
