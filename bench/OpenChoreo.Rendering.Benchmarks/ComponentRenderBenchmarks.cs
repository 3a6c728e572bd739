using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using OpenChoreo.Model;
using OpenChoreo.Rendering.Offline;
using OpenChoreo.Rendering.Pipeline;

namespace OpenChoreo.Rendering.Benchmarks;

/// <summary>
/// The default <c>service</c> ComponentType with two traits (a PVC create + patch, an emptyDir patch with forEach),
/// env and file configs, a secret env and a ReleaseBinding with overrides: a realistic per-component render.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ComponentRenderBenchmarks
{
    private ComponentRenderInput _input = null!;
    private ComponentRenderInput[] _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        var service = DefaultComponentTypes.Get().Single(t => (string?)t["metadata"]?["name"] == "service");
        var traits = YamlCodec.ReadAll(Traits).OfType<JsonObject>()
            .ToDictionary(t => (string)t["metadata"]!["name"]!, t => (JsonObject)t["spec"]!);
        _input = Make(service, traits, "api");
        _batch = [.. Enumerable.Range(0, 1000).Select(i => Make(service, traits, $"svc-{i}"))];
        var check = ComponentRenderer.Default.Render(_input);
        if (!check.Succeeded) throw new InvalidOperationException(string.Join("; ", check.Errors));
    }

    /// <summary>One component (p50 is the median reported by BenchmarkDotNet).</summary>
    [Benchmark]
    public RenderResult RenderOne() => ComponentRenderer.Default.Render(_input);

    /// <summary>1,000 distinct components back to back.</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public int Render1000()
    {
        int n = 0;
        foreach (var input in _batch) n += ComponentRenderer.Default.Render(input).Resources.Count;
        return n;
    }

    private static ComponentRenderInput Make(JsonObject service, Dictionary<string, JsonObject> traits, string name) => new()
    {
        Organization = "default",
        ProjectName = "shop",
        ComponentName = name,
        ComponentTypeSpec = (JsonObject)service["spec"]!,
        TraitSpecs = traits,
        ComponentSpec = (JsonObject)JsonNode.Parse("""
            {"parameters":{"replicas":2,"port":8080,"exposed":true},
             "traits":[{"name":"persistent-volume","instanceName":"data","parameters":{"volumeName":"data","mountPath":"/data","containerName":"main"}},
                       {"name":"emptydir-volume","instanceName":"cache","parameters":{"volumeName":"cache","mounts":[{"containerName":"main","mountPath":"/cache"}]}}]}
            """)!,
        WorkloadSpec = (JsonObject)JsonNode.Parse("""
            {"containers":{"main":{"image":"registry.local/shop/api:1.2.3","args":["--port","8080"],
              "env":[{"key":"LOG_LEVEL","value":"info"},{"key":"DB_PASSWORD","valueFrom":{"secretRef":{"name":"db","key":"password"}}}],
              "files":[{"key":"app.toml","mountPath":"/etc/app","value":"a = 1\n"}]}}}
            """)!,
        ReleaseBindingSpec = (JsonObject)JsonNode.Parse("""
            {"environment":"development","componentTypeEnvOverrides":{"resources":{"limits":{"memory":"1Gi"}}},"traitOverrides":{"data":{"size":"5Gi"}}}
            """)!,
        SecretReferences = [(JsonObject)JsonNode.Parse("""{"metadata":{"name":"db"},"spec":{"data":[{"secretKey":"password","remoteRef":{"key":"db-pass"}}]}}""")!],
        Environment = new EnvironmentInfo("development", "env-uid"),
        DataPlane = new DataPlaneInfo("default", "dp-uid", "apps.openchoreo.localhost", "default"),
        ComponentUid = "c-uid",
        ProjectUid = "p-uid",
    };

    private const string Traits = """
        apiVersion: openchoreo.dev/v1alpha1
        kind: Trait
        metadata: {name: persistent-volume}
        spec:
          schema:
            parameters: {volumeName: "string", mountPath: "string", containerName: "string | default=app"}
            envOverrides: {size: "string | default=10Gi", storageClass: "string | default=local-path"}
          creates:
            - template:
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: "${metadata.name}-${trait.instanceName}", namespace: "${metadata.namespace}"}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: "${parameters.size}"}}, storageClassName: "${parameters.storageClass}"}
          patches:
            - target: {group: apps, version: v1, kind: Deployment}
              operations:
                - op: add
                  path: /spec/template/spec/volumes/-
                  value: {name: "${parameters.volumeName}", persistentVolumeClaim: {claimName: "${metadata.name}-${trait.instanceName}"}}
                - op: add
                  path: /spec/template/spec/containers/[?(@.name=='${parameters.containerName}')]/volumeMounts/-
                  value: {name: "${parameters.volumeName}", mountPath: "${parameters.mountPath}"}
        ---
        apiVersion: openchoreo.dev/v1alpha1
        kind: Trait
        metadata: {name: emptydir-volume}
        spec:
          schema:
            types:
              MountConfig: {containerName: "string", mountPath: "string", readOnly: "boolean | default=false"}
            parameters: {volumeName: "string", mounts: "[]MountConfig | minItems=1"}
            envOverrides: {sizeLimit: 'string | default=""'}
          patches:
            - target: {group: apps, version: v1, kind: Deployment}
              operations:
                - op: add
                  path: /spec/template/spec/volumes/-
                  value:
                    name: ${parameters.volumeName}
                    emptyDir: '${parameters.sizeLimit != "" ? {"sizeLimit": parameters.sizeLimit} : {}}'
            - forEach: ${parameters.mounts}
              var: mount
              target: {group: apps, version: v1, kind: Deployment}
              operations:
                - op: add
                  path: /spec/template/spec/containers/[?(@.name=='${mount.containerName}')]/volumeMounts/-
                  value: {name: "${parameters.volumeName}", mountPath: "${mount.mountPath}", readOnly: "${mount.readOnly}"}
        """;
}
