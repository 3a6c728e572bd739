using OpenChoreo.Rendering.Naming;

namespace OpenChoreo.Rendering.Tests;

public class NameGeneratorTests
{
    // Expected values computed independently (SHA-256 / FNV-1a in Python) from the upstream algorithm.
    [Theory]
    [InlineData("greeter-service", "development", "greeter-service-development-a9f97fde")]
    [InlineData("My_App", "Dev", "my-app-dev-aabf6411")]
    public void Resource_names_match_upstream(string component, string env, string expected) =>
        NameGenerator.ResourceName(component, env).ShouldBe(expected);

    [Fact]
    public void Cell_namespace_matches_upstream() =>
        NameGenerator.CellNamespace("default", "default", "development").ShouldBe("dp-default-default-development-f8e58905");

    [Fact]
    public void Long_namespace_parts_are_truncated_evenly_within_63_characters()
    {
        // 63 - 8 (hash) - 4 (separators) = 51 characters for 4 parts: 13, 13, 13, 12.
        var ns = NameGenerator.CellNamespace("default", "gcp-microservice-demo", "production");
        ns.ShouldBe("dp-default-gcp-microserv-production-af572bcc");
        ns.Length.ShouldBeLessThanOrEqualTo(63);
    }

    // Cross-checked against a line-by-line Python transcription of upstream GenerateK8sNameWithLengthLimit.
    [Theory]
    [InlineData("Acme Corp", "Online_Store", "Prod.EU", "dp-acme-corp-online-store-prod.eu-ebcc34a3")]
    [InlineData("o", "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp", "e", "dp-o-ppppppppppppp-e-82e71522")]
    public void Cell_namespaces_match_upstream_for_odd_and_long_parts(string org, string project, string env, string expected)
    {
        var ns = NameGenerator.CellNamespace(org, project, env);
        ns.ShouldBe(expected);
        ns.Length.ShouldBeLessThanOrEqualTo(NameGenerator.MaxNamespaceLength);
    }

    [Fact]
    public void Long_resource_names_are_truncated_evenly_within_253_characters()
    {
        // 253 - 8 (hash) - 2 (separators) = 243 for 2 parts: 122 + 121; the second part (117 chars) fits whole.
        var env = string.Concat(Enumerable.Repeat("production-environment-with-a-long-name", 3));
        var name = NameGenerator.ResourceName(new string('a', 200), env);
        name.ShouldBe(new string('a', 122) + "-" + env + "-36b359cc");
        name.Length.ShouldBeLessThanOrEqualTo(NameGenerator.MaxNameLength);
    }

    [Fact]
    public void Separators_left_at_part_edges_by_sanitising_are_dropped() =>
        NameGenerator.ResourceName("svc.", "-dev").ShouldBe("svc-dev-bcbf879b");

    [Fact]
    public void Hash_uses_unsanitised_parts_so_case_differences_do_not_collide()
    {
        NameGenerator.Generate(["App", "dev"]).ShouldNotBe(NameGenerator.Generate(["app", "dev"]));
        NameGenerator.Generate(["App", "dev"])[..7].ShouldBe("app-dev");
    }

    [Fact]
    public void Leading_and_trailing_separators_are_trimmed() =>
        NameGenerator.Generate(["-x.", "y"]).ShouldStartWith("x-y-");

    [Theory]
    [InlineData("/conf/application.toml", "639ac00d")]
    [InlineData("", "811c9dc5")]
    [InlineData("a", "e40c292c")]
    [InlineData("hello world", "d58b3fa7")]
    public void Fnv32a_matches_known_values(string input, string expected) => NameGenerator.Fnv32a(input).ShouldBe(expected);

    [Fact]
    public void Resource_ids_are_kind_and_name_and_stay_within_63_characters()
    {
        NameGenerator.ResourceId("Deployment", "web-dev-1234abcd").ShouldBe("deployment-web-dev-1234abcd");
        var longId = NameGenerator.ResourceId("ConfigMap", new string('a', 80));
        longId.Length.ShouldBe(63);
        longId.ShouldStartWith("configmap-aaaa");
        longId.ShouldNotBe(NameGenerator.ResourceId("ConfigMap", new string('a', 81)));
    }
}
