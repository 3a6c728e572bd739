using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Model;

namespace OpenChoreo.Validation;

/// <summary>
/// Builds causes worded like Kubernetes' <c>field.Error</c> bodies ("Required value", "Invalid value: \"x\": …",
/// "Unsupported value: …"), so clients that parse Kubernetes errors read ours the same way.
/// </summary>
public static class FieldErrors
{
    public static StatusCause Required(FieldPath path, string? detail = null) =>
        new(path.ToString(), CauseReasons.Required, detail is null ? "Required value" : $"Required value: {detail}");

    public static StatusCause Invalid(FieldPath path, JsonNode? value, string detail) =>
        InvalidText(path, Quote(value), detail);

    public static StatusCause Invalid(FieldPath path, string value, string detail) =>
        InvalidText(path, Quote(value), detail);

    public static StatusCause TypeInvalid(FieldPath path, JsonNode? value, string expected) =>
        new(path.ToString(), CauseReasons.TypeInvalid,
            $"Invalid value: \"{JsonTypes.NameOf(value)}\": must be of type {expected}");

    public static StatusCause NotSupported(FieldPath path, JsonNode? value, IEnumerable<JsonNode?> supported) =>
        new(path.ToString(), CauseReasons.NotSupported,
            $"Unsupported value: {Quote(value)}: supported values: {string.Join(", ", supported.Select(Quote))}");

    public static StatusCause NotSupported(FieldPath path, string value, IEnumerable<string> supported) =>
        new(path.ToString(), CauseReasons.NotSupported,
            $"Unsupported value: {Quote(value)}: supported values: {string.Join(", ", supported.Select(Quote))}");

    public static StatusCause Forbidden(FieldPath path, string detail) =>
        new(path.ToString(), CauseReasons.Forbidden, $"Forbidden: {detail}");

    public static StatusCause TooLong(FieldPath path, long max, string unit = "characters") =>
        new(path.ToString(), CauseReasons.TooLong, $"Too long: may not be more than {max} {unit}");

    public static StatusCause TooMany(FieldPath path, long actual, long max) =>
        new(path.ToString(), CauseReasons.TooMany, $"Too many: {actual}: must have at most {max} items");

    public static StatusCause Duplicate(FieldPath path, JsonNode? value) =>
        new(path.ToString(), CauseReasons.Duplicate, $"Duplicate value: {Quote(value)}");

    /// <summary>A duplicate whose identity is shown as given (e.g. the JSON of a list-map key).</summary>
    public static StatusCause DuplicateText(FieldPath path, string identity) =>
        new(path.ToString(), CauseReasons.Duplicate, $"Duplicate value: {identity}");

    /// <summary>An invalid value whose text is shown as given (numbers, counts).</summary>
    public static StatusCause InvalidText(FieldPath path, string shown, string detail, bool quote) =>
        InvalidText(path, quote ? Quote(shown) : shown, detail);

    public static StatusCause Unknown(FieldPath path) =>
        new(path.ToString(), CauseReasons.Unknown, $"unknown field \"{path}\"");

    private static StatusCause InvalidText(FieldPath path, string quoted, string detail) =>
        new(path.ToString(), CauseReasons.Invalid, $"Invalid value: {quoted}: {detail}");

    // Messages are plain text, not HTML: keep non-ASCII and '<', '>' readable as Go's %q does.
    private static readonly JsonSerializerOptions MessageJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>How a value appears in a message: strings quoted, scalars as JSON, objects and lists by type name.</summary>
    internal static string Quote(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "\"object\"",
        JsonArray => "\"array\"",
        JsonValue v when JsonTypes.IsString(v, out var s) => Quote(s),
        _ => value.ToJsonString(),
    };

    /// <summary>A string quoted and escaped as JSON, shortened when very long.</summary>
    internal static string Quote(string s) =>
        Truncate(JsonSerializer.Serialize(s.Length > 1024 ? s[..1024] : s, MessageJson));

    // Echoing a megabyte string back in an error helps nobody.
    private static string Truncate(string quoted) =>
        quoted.Length <= 256 ? quoted : string.Concat(quoted.AsSpan(0, 240), "...\" (truncated)");
}
