using System.Text.Json.Nodes;
using OpenChoreo.Controllers.Runtime;
using OpenChoreo.Model;
using OpenChoreo.Store;

namespace OpenChoreo.Controllers.Tests;

/// <summary>What counts as a status-only change for a watch that ignores them.</summary>
public sealed class StatusOnlyFilterTests
{
    private static ResourceObject Project(string rv = "1", Action<ResourceObject>? edit = null)
    {
        var o = new ResourceObject(new JsonObject
        {
            ["apiVersion"] = "openchoreo.dev/v1alpha1",
            ["kind"] = "Project",
            ["metadata"] = new JsonObject { ["name"] = "p", ["namespace"] = "default", ["resourceVersion"] = rv, ["generation"] = 1 },
            ["spec"] = new JsonObject { ["deploymentPipelineRef"] = "default" },
            ["status"] = new JsonObject { ["observedGeneration"] = 1 },
        });
        edit?.Invoke(o);
        return o;
    }

    [Fact]
    public void A_new_resource_version_with_only_status_changed_is_status_only()
    {
        var f = new StatusOnlyFilter();
        f.IsStatusOnly(WatchEventType.Added, Project("1")).ShouldBeFalse();
        f.IsStatusOnly(WatchEventType.Modified, Project("2", o => o.Node["status"]!["phase"] = "Ready")).ShouldBeTrue();
        f.IsStatusOnly(WatchEventType.Modified, Project("3", o => o.Node.Remove("status"))).ShouldBeTrue();
    }

    [Theory]
    [InlineData("spec")]
    [InlineData("generation")]
    [InlineData("label")]
    [InlineData("annotation")]
    [InlineData("finalizer")]
    [InlineData("deletion")]
    [InlineData("owner")]
    public void Any_other_change_is_not_status_only(string what)
    {
        var f = new StatusOnlyFilter();
        f.IsStatusOnly(WatchEventType.Added, Project("1"));
        var changed = Project("2", o =>
        {
            switch (what)
            {
                case "spec": o.Node["spec"]!["deploymentPipelineRef"] = "other"; break;
                case "generation": o.Metadata["generation"] = 2; break;
                case "label": o.SetLabel("team", "a"); break;
                case "annotation": o.SetAnnotation("note", "x"); break;
                case "finalizer": o.Metadata["finalizers"] = new JsonArray("openchoreo.dev/project-cleanup"); break;
                case "deletion": o.Metadata["deletionTimestamp"] = "2026-12-02T00:00:00Z"; break;
                case "owner": o.Metadata["ownerReferences"] = new JsonArray(new JsonObject { ["kind"] = "Organization", ["name"] = "o", ["uid"] = "u" }); break;
            }
        });
        f.IsStatusOnly(WatchEventType.Modified, changed).ShouldBeFalse();
        // The filter now remembers the changed object: a later status-only write on top of it is status-only.
        changed.Metadata["resourceVersion"] = "3";
        f.IsStatusOnly(WatchEventType.Modified, changed).ShouldBeTrue();
    }

    [Fact]
    public void An_object_never_seen_or_deleted_and_recreated_is_not_status_only()
    {
        var f = new StatusOnlyFilter();
        f.IsStatusOnly(WatchEventType.Modified, Project("5")).ShouldBeFalse();
        f.IsStatusOnly(WatchEventType.Deleted, Project("6")).ShouldBeFalse();
        f.Count.ShouldBe(0);
        f.IsStatusOnly(WatchEventType.Added, Project("7")).ShouldBeFalse();
        f.IsStatusOnly(WatchEventType.Bookmark, Project("8")).ShouldBeFalse();
    }

    [Fact]
    public void Objects_are_told_apart_by_kind_namespace_and_name()
    {
        var f = new StatusOnlyFilter();
        f.IsStatusOnly(WatchEventType.Added, Project("1"));
        var other = Project("2", o => o.Metadata["name"] = "q");
        f.IsStatusOnly(WatchEventType.Modified, other).ShouldBeFalse();
        f.Count.ShouldBe(2);
    }
}
