using System.Text.Json.Nodes;

namespace OpenChoreo.Model;

/// <summary>One reason an object was refused, naming the field it concerns (e.g. <c>spec.owner.projectName</c>).</summary>
public sealed record StatusCause(string Field, string Reason, string Message)
{
    public override string ToString() => string.IsNullOrEmpty(Field) ? Message : $"{Field}: {Message}";
}

/// <summary>The reasons a request can fail with, and their HTTP codes (Kubernetes <c>metav1.StatusReason</c>).</summary>
public static class StatusReasons
{
    public const string BadRequest = "BadRequest";
    public const string Unauthorized = "Unauthorized";
    public const string Forbidden = "Forbidden";
    public const string NotFound = "NotFound";
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string AlreadyExists = "AlreadyExists";
    public const string Conflict = "Conflict";
    public const string Gone = "Gone";
    public const string Expired = "Expired";
    public const string RequestEntityTooLarge = "RequestEntityTooLarge";
    public const string UnsupportedMediaType = "UnsupportedMediaType";
    public const string Invalid = "Invalid";
    public const string TooManyRequests = "TooManyRequests";
    public const string InternalError = "InternalError";
    public const string ServiceUnavailable = "ServiceUnavailable";
}

/// <summary>Field-error reasons used in <see cref="StatusCause.Reason"/> (Kubernetes <c>field.ErrorType</c>).</summary>
public static class CauseReasons
{
    public const string Required = "FieldValueRequired";
    public const string Invalid = "FieldValueInvalid";
    public const string NotSupported = "FieldValueNotSupported";
    public const string TypeInvalid = "FieldValueTypeInvalid";
    public const string Forbidden = "FieldValueForbidden";
    public const string TooLong = "FieldValueTooLong";
    public const string TooMany = "FieldValueTooMany";
    public const string Duplicate = "FieldValueDuplicate";
    public const string NotFound = "FieldValueNotFound";
    public const string Unknown = "FieldUnknown";
}

/// <summary>
/// A failed request, shaped like a Kubernetes <c>Status</c>: HTTP code, reason, message and field-pathed causes.
/// The API returns it as the error body; the CLI prints it.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, IReadOnlyList<StatusCause>? causes = null,
        string? kind = null, string? name = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Causes = causes ?? [];
        DetailsKind = kind;
        DetailsName = name;
    }

    public int Code { get; }
    public string Reason { get; }
    public IReadOnlyList<StatusCause> Causes { get; }
    public string? DetailsKind { get; }
    public string? DetailsName { get; }

    public static ApiException BadRequest(string message) => new(400, StatusReasons.BadRequest, message);

    public static ApiException NotFound(string kind, string name, string? ns = null) =>
        new(404, StatusReasons.NotFound,
            ns is null or "" ? $"{kind} \"{name}\" not found" : $"{kind} \"{name}\" not found in namespace \"{ns}\"",
            kind: kind, name: name);

    public static ApiException AlreadyExists(string kind, string name) =>
        new(409, StatusReasons.AlreadyExists, $"{kind} \"{name}\" already exists", kind: kind, name: name);

    public static ApiException Conflict(string kind, string name, string why) =>
        new(409, StatusReasons.Conflict,
            $"Operation cannot be fulfilled on {kind} \"{name}\": {why}", kind: kind, name: name);

    public static ApiException Gone(string message) => new(410, StatusReasons.Expired, message);

    public static ApiException Invalid(string kind, string name, IReadOnlyList<StatusCause> causes) =>
        new(422, StatusReasons.Invalid,
            $"{kind} \"{name}\" is invalid: {string.Join("; ", causes)}", causes, kind, name);

    public static ApiException Unauthorized(string message = "Unauthorized") => new(401, StatusReasons.Unauthorized, message);

    public static ApiException Forbidden(string message) => new(403, StatusReasons.Forbidden, message);

    public static ApiException TooLarge(long limit) =>
        new(413, StatusReasons.RequestEntityTooLarge, $"the request body is larger than the limit of {limit} bytes");

    /// <summary>The Kubernetes-Status-shaped JSON body for this error.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (DetailsKind is not null || DetailsName is not null || Causes.Count > 0)
        {
            var details = new JsonObject();
            if (DetailsName is not null) details["name"] = DetailsName;
            if (DetailsKind is not null) details["kind"] = DetailsKind;
            if (Causes.Count > 0)
            {
                details["causes"] = new JsonArray(Causes.Select(c => (JsonNode?)new JsonObject
                {
                    ["reason"] = c.Reason,
                    ["message"] = c.Message,
                    ["field"] = c.Field,
                }).ToArray());
            }
            status["details"] = details;
        }
        return status;
    }

    /// <summary>Rebuilds the exception from a Status body (used by clients).</summary>
    public static ApiException FromStatus(JsonObject status, int fallbackCode)
    {
        var causes = status["details"]?["causes"] is JsonArray a
            ? a.OfType<JsonObject>().Select(c => new StatusCause(
                (string?)c["field"] ?? "", (string?)c["reason"] ?? "", (string?)c["message"] ?? "")).ToArray()
            : [];
        return new ApiException(
            status["code"] is JsonValue v && v.TryGetValue<int>(out var code) ? code : fallbackCode,
            (string?)status["reason"] ?? "",
            (string?)status["message"] ?? "",
            causes,
            (string?)status["details"]?["kind"],
            (string?)status["details"]?["name"]);
    }
}
