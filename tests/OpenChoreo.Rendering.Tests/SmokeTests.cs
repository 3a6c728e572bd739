using OpenChoreo.Model;
using OpenChoreo.Rendering.Offline;

namespace OpenChoreo.Rendering.Tests;

public class SmokeTests
{
    [Fact]
    public void Dump()
    {
        foreach (var f in new[] { "samples/from-image/go-greeter-service/greeter-service.yaml", "samples/component-types/component-with-traits/component-with-traits.yaml", "samples/component-types/component-with-configs/component-with-configs.yaml" })
        {
            var res = OfflineRender.Render(TestPaths.ReadManifests(f), new OfflineRenderOptions());
            foreach (var r in res)
            {
                Console.Error.WriteLine("### " + r.ComponentName + " " + string.Join("; ", r.Result.Errors));
                Console.Error.WriteLine(YamlCodec.WriteAll(r.Result.Resources.Select(x => (System.Text.Json.Nodes.JsonNode?)x.Object)));
            }
        }
    }
}
