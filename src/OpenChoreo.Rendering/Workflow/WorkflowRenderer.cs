using System.Text.Json.Nodes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Schema;
using OpenChoreo.Rendering.Templates;

namespace OpenChoreo.Rendering.Workflow;

/// <summary>Input of a ComponentWorkflow render: the workflow spec and the run's values.</summary>
public sealed record WorkflowRenderInput
{
    public required string Organization { get; init; }
    public required string ProjectName { get; init; }
    public required string ComponentName { get; init; }

    /// <summary>Name of the ComponentWorkflowRun (<c>ctx.componentWorkflowRunName</c>).</summary>
    public required string RunName { get; init; }

    /// <summary><c>ComponentWorkflow.spec</c> (schema, runTemplate).</summary>
    public required JsonObject WorkflowSpec { get; init; }

    /// <summary><c>spec.workflow.systemParameters</c> of the run (repository url, revision, appPath).</summary>
    public JsonObject? SystemParameters { get; init; }

    /// <summary><c>spec.workflow.parameters</c> of the run.</summary>
    public JsonObject? Parameters { get; init; }
}

/// <summary>
/// Renders a ComponentWorkflow's <c>runTemplate</c> (normally an Argo Workflow) for a run, with the variables
/// <c>ctx.{componentWorkflowRunName, componentName, projectName, orgName}</c>, <c>systemParameters.*</c> and
/// <c>parameters.*</c> (both pruned to their schemas, defaulted and validated).
/// </summary>
public sealed class WorkflowRenderer(TemplateEngine? engine = null)
{
    private readonly TemplateEngine _engine = engine ?? TemplateEngine.Default;

    public static WorkflowRenderer Default { get; } = new();

    /// <summary>The rendered object, or the errors.</summary>
    public (JsonObject? Resource, IReadOnlyList<StatusCause> Errors) Render(WorkflowRenderInput input)
    {
        var errors = new List<StatusCause>();
        var schemas = ComponentSchemas.Parse(input.WorkflowSpec, errors);
        if (errors.Count > 0) return (null, errors);
        var parameters = SchemaOps.Normalize(input.Parameters, schemas.Parameters, "spec.workflow.parameters", errors);
        var system = (JsonObject?)input.SystemParameters?.DeepClone() ?? new JsonObject();
        if (schemas.SystemParameters is { } s)
        {
            // System parameters are all strings by contract and upstream treats absent ones (e.g. an unpinned
            // commit) as empty: type-check what is given, then fill the rest with "".
            SchemaOps.Prune(system, s);
            SchemaOps.ApplyDefaults(system, s);
            SchemaOps.Validate(system, s, "spec.workflow.systemParameters", errors, requireFields: false);
            FillAbsent(system, s);
        }
        if (errors.Count > 0) return (null, errors);
        var vars = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["ctx"] = new JsonObject
            {
                ["componentWorkflowRunName"] = input.RunName,
                ["componentName"] = input.ComponentName,
                ["projectName"] = input.ProjectName,
                ["orgName"] = input.Organization,
            },
            ["systemParameters"] = system,
            ["parameters"] = parameters,
        };
        try
        {
            if (input.WorkflowSpec["runTemplate"] is not JsonObject template)
                return (null, [new StatusCause("spec.runTemplate", CauseReasons.Required, "required value")]);
            var rendered = _engine.Render(template, vars, "spec.runTemplate");
            if (rendered is not JsonObject obj) return (null, [new StatusCause("spec.runTemplate", CauseReasons.Invalid, "must render to a map")]);
            return (obj, []);
        }
        catch (TemplateException e)
        {
            return (null, [e.Cause]);
        }
    }

    private static void FillAbsent(JsonObject value, SchemaNode schema)
    {
        if (!schema.IsObject) return;
        foreach (var (key, prop) in schema.Properties!)
        {
            if (!value.ContainsKey(key))
            {
                if (prop.IsObject) value[key] = new JsonObject();
                else if (prop.Type == "string") value[key] = "";
                else continue;
            }
            if (value[key] is JsonObject child) FillAbsent(child, prop);
        }
    }
}
