using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Validation.Rules;
using OpenChoreo.Validation.Schema;

namespace OpenChoreo.Validation;

/// <summary>
/// Defaults and validates openchoreo.dev/v1alpha1 objects the way the Kubernetes API server treats a CRD with a
/// structural schema and strict field validation. Call <see cref="Default"/> then <see cref="ValidateCreate"/> or
/// <see cref="ValidateUpdate"/>; an empty list means the object is valid. Thread-safe; build one and share it.
/// </summary>
public sealed class ObjectValidator
{
    private readonly KindRegistry _registry;
    private readonly IRuleEngine _rules;
    private readonly ValidationOptions _options;
    private readonly ConcurrentDictionary<string, SchemaNode> _schemas = new(StringComparer.Ordinal);

    /// <param name="registry">The kinds served; <see cref="KindRegistry.Default"/> when null.</param>
    /// <param name="rules">Evaluates <c>x-kubernetes-validations</c>; <see cref="CelRuleEngine.Shared"/> when null.</param>
    /// <param name="options">Work limits; <see cref="ValidationOptions.Default"/> when null.</param>
    public ObjectValidator(KindRegistry? registry = null, IRuleEngine? rules = null, ValidationOptions? options = null)
    {
        _registry = registry ?? KindRegistry.Default;
        _rules = rules ?? CelRuleEngine.Shared;
        _options = options ?? ValidationOptions.Default;
        _options.Check();
    }

    /// <summary>A validator over <see cref="KindRegistry.Default"/> with CEL rules and default limits.</summary>
    public static ObjectValidator Shared { get; } = new();

    /// <summary>Resolves apiVersion and kind. The API turns <see cref="KindProblem"/> into 400 or 404.</summary>
    public KindCheck CheckKind(ResourceObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var apiVersionNode = obj.Node["apiVersion"];
        var kindNode = obj.Node["kind"];
        if (!JsonTypes.IsString(apiVersionNode, out var apiVersion) || apiVersion.Length == 0)
        {
            return new(null, KindProblem.Missing, apiVersionNode is null || JsonTypes.IsString(apiVersionNode, out _)
                ? FieldErrors.Required(FieldPath.Of("apiVersion"))
                : FieldErrors.TypeInvalid(FieldPath.Of("apiVersion"), apiVersionNode, "string"));
        }
        if (!JsonTypes.IsString(kindNode, out var kind) || kind.Length == 0)
        {
            return new(null, KindProblem.Missing, kindNode is null || JsonTypes.IsString(kindNode, out _)
                ? FieldErrors.Required(FieldPath.Of("kind"))
                : FieldErrors.TypeInvalid(FieldPath.Of("kind"), kindNode, "string"));
        }
        if (_registry.Find(apiVersion, kind) is { } found) return new(found, KindProblem.None, null);

        var served = _registry.All.Select(k => k.ApiVersion).Distinct(StringComparer.Ordinal).ToArray();
        if (!served.Contains(apiVersion, StringComparer.Ordinal))
        {
            return new(null, KindProblem.UnknownApiVersion, FieldErrors.NotSupported(FieldPath.Of("apiVersion"), apiVersion, served));
        }
        return new(null, KindProblem.UnknownKind, new StatusCause("kind", CauseReasons.NotSupported,
            $"Unsupported value: {FieldErrors.Quote(kind)}: no kind {FieldErrors.Quote(kind)} is served in version {FieldErrors.Quote(apiVersion)}"));
    }

    /// <summary>
    /// Applies the schema defaults of the object's kind in place (before validation, as Kubernetes does). Unknown kinds
    /// are left untouched.
    /// </summary>
    public void Default(ResourceObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (CheckKind(obj).Kind is not { } kind) return;
        if (JsonTypes.DepthExceeds(obj.Node, _options.MaxDepth)) return;
        var schema = SchemaOf(kind);
        if (schema.Properties is null) return;
        foreach (var (name, prop) in schema.Properties)
        {
            if (name is "metadata" or "apiVersion" or "kind") continue;
            if (obj.Node.TryGetPropertyValue(name, out var child) && child is null && !prop.Nullable)
            {
                // "spec: null" and the like: pruned (or defaulted) like any non-nullable null.
                obj.Node.Remove(name);
                if (prop.HasDefault) obj.Node[name] = prop.Default?.DeepClone();
                child = obj.Node[name];
            }
            if (child is not null) Defaulter.Apply(child, prop, 1, _options.MaxDepth);
        }
    }

    /// <summary>
    /// Removes every field the schema does not declare (Kubernetes pruning) and returns the removed paths, for
    /// requests with <c>fieldValidation=Ignore</c> (drop silently) or <c>Warn</c> (drop and warn). Strict requests
    /// skip this: validation then reports each such field as <c>FieldUnknown</c>. Unknown kinds are left untouched.
    /// </summary>
    public IReadOnlyList<string> Prune(ResourceObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (CheckKind(obj).Kind is not { } kind || JsonTypes.DepthExceeds(obj.Node, _options.MaxDepth)) return [];
        var schema = SchemaOf(kind);
        var removed = new List<string>();
        foreach (var name in obj.Node.Select(kv => kv.Key).ToArray())
        {
            var path = FieldPath.Of(name);
            if (name is "apiVersion" or "kind") continue;
            if (name is "metadata") Pruner.PruneMetadata(obj.Node[name], path, removed);
            else if (schema.Properties?.GetValueOrDefault(name) is { } prop) Pruner.Prune(obj.Node[name], prop, path, 1, _options.MaxDepth, removed);
            else if (!schema.PreserveUnknownFields)
            {
                obj.Node.Remove(name);
                removed.Add(name);
            }
        }
        return removed;
    }

    /// <summary>Validates an object about to be created.</summary>
    public IReadOnlyList<StatusCause> ValidateCreate(ResourceObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Validate(obj, null);
    }

    /// <summary>Validates an update of <paramref name="old"/> (as stored) to <paramref name="obj"/>; runs transition rules.</summary>
    public IReadOnlyList<StatusCause> ValidateUpdate(ResourceObject obj, ResourceObject old)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(old);
        return Validate(obj, old);
    }

    private IReadOnlyList<StatusCause> Validate(ResourceObject obj, ResourceObject? old)
    {
        var check = CheckKind(obj);
        if (check.Kind is not { } kind) return [check.Cause!];
        if (old is not null && (old.ApiVersion != obj.ApiVersion || old.Kind != obj.Kind))
        {
            return [FieldErrors.Invalid(FieldPath.Of("kind"), obj.Kind ?? "", $"may not change from \"{old.Kind}\" (apiVersion \"{old.ApiVersion}\")")];
        }
        if (JsonTypes.DepthExceeds(obj.Node, _options.MaxDepth))
        {
            return [new StatusCause("", CauseReasons.Invalid, $"the object nests deeper than {_options.MaxDepth} levels")];
        }

        var causes = new CauseList(_options.MaxCauses);
        MetadataValidator.Validate(obj.Node["metadata"], kind, _options, causes);
        if (old is not null) MetadataValidator.ValidateUpdate(obj.Node["metadata"], old.Node["metadata"], causes);

        var schema = SchemaOf(kind);
        var walker = new SchemaWalker(_options, causes);
        foreach (var required in schema.Required)
        {
            if (!obj.Node.ContainsKey(required)) causes.Add(FieldErrors.Required(FieldPath.Of(required)));
        }
        foreach (var (name, value) in obj.Node)
        {
            if (name is "apiVersion" or "kind" or "metadata") continue;
            var path = FieldPath.Of(name);
            if (schema.Properties?.GetValueOrDefault(name) is not { } prop)
            {
                if (!schema.PreserveUnknownFields) causes.Add(FieldErrors.Unknown(path));
                continue;
            }
            walker.Validate(value, OldField(old, name), prop, path);
        }

        if (!causes.Full && schema.HasRulesBelow)
        {
            if (causes.Items.FirstOrDefault(IsBlocking) is not null)
            {
                causes.Add(new StatusCause("", CauseReasons.Invalid,
                    "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
            }
            else
            {
                var rules = new RuleValidator(_rules, causes);
                foreach (var (name, value) in obj.Node)
                {
                    if (name is "apiVersion" or "kind" or "metadata") continue;
                    if (schema.Properties?.GetValueOrDefault(name) is { } prop) rules.Validate(value, OldField(old, name), prop, FieldPath.Of(name));
                }
            }
        }
        return causes.Items.ToArray();
    }

    // Kubernetes skips CEL rules when the schema found errors of these kinds: the rules could not be evaluated
    // meaningfully (wrong types, missing fields). Unknown fields are refused before validation in Kubernetes.
    private static bool IsBlocking(StatusCause c) => c.Reason is CauseReasons.NotSupported or CauseReasons.Required
        or CauseReasons.TooLong or CauseReasons.TooMany or CauseReasons.TypeInvalid or CauseReasons.Unknown;

    private static Correlation OldField(ResourceObject? old, string name) =>
        old is not null && old.Node.TryGetPropertyValue(name, out var v) ? new Correlation(true, v) : Correlation.None;

    internal SchemaNode SchemaOf(ResourceKind kind) =>
        _schemas.GetOrAdd(kind.Kind, static (_, state) => SchemaCompiler.Compile(state.kind.Schema, state.timeout),
            (kind, timeout: _options.PatternTimeout));
}
