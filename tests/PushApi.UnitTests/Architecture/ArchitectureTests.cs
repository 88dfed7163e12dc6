using System.Reflection;

namespace PushApi.UnitTests.Architecture;

/// <summary>
/// The direction of dependencies (docs/architecture.md), read from the compiled assemblies: front ends
/// don't use each other and reach the database only through Core; Core's layers point downward.
/// </summary>
public class ArchitectureTests
{
    private const string Server = "PushApi.Server";
    private const string Core = "PushApi.Core";

    /// <summary>The Server folders that adapt one API each; shared infrastructure (Pipeline, Salesforce, Auth, Hosting…) is not among them.</summary>
    private static readonly string[] FrontEnds = ["Rest", "Soap", "Bulk", "Admin", "Deployments"];

    /// <summary>Core's use cases: what front ends call. The domain below them never calls back up.</summary>
    private static readonly string[] UseCases = ["Dml", "Soql", "Deployments", "Notifications", "Bulk", "Demo"];

    private static readonly string[] Domain = ["Push", "Catalog", "Tenants", "Packages", "Identity", "Features", "Ids", "Errors", "Persistence", "Formats"];

    private static readonly Assembly ServerAssembly = typeof(Program).Assembly;
    private static readonly Assembly CoreAssembly = typeof(Core.CoreServices).Assembly;

    [Test]
    public void Core_knows_nothing_of_ASP_NET_Core_or_Quartz()
    {
        var references = CoreAssembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.That(references.Where(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("Quartz", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void Server_front_ends_do_not_use_each_other()
    {
        var crossings = Uses(ServerAssembly, Server, (from, to) => FrontEnds.Contains(from) && FrontEnds.Contains(to) && from != to);
        Assert.That(crossings, Is.Empty, "front ends share code through Pipeline, Salesforce or Core, never directly");
    }

    [Test]
    public void Front_ends_reach_the_database_only_through_Core()
    {
        var direct = TypeReferences.Of(ServerAssembly)
            .Where(r => TypeReferences.Area(r.From, Server) is { } area && FrontEnds.Contains(area))
            .Where(r => r.To.Namespace is { } ns && (ns.StartsWith("Npgsql", StringComparison.Ordinal) || ns.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)))
            .Select(r => $"{r.From.FullName} uses {r.To.FullName}")
            .Distinct()
            .ToList();
        Assert.That(direct, Is.Empty, "endpoints take Core services, never a data source, connection or DbContext");
    }

    [Test]
    public void Notifications_and_deployments_depend_only_downward()
    {
        var upward = Uses(CoreAssembly, Core, (from, to) =>
            (from == "Notifications" && to is "Deployments" or "Bulk" or "Dml" or "Soql" or "Demo")
            || (from == "Deployments" && to is "Notifications" or "Bulk" or "Demo"));
        Assert.That(upward, Is.Empty);
    }

    [Test]
    public void The_domain_never_calls_up_into_a_use_case()
    {
        var upward = Uses(CoreAssembly, Core, (from, to) => Domain.Contains(from) && UseCases.Contains(to));
        Assert.That(upward, Is.Empty);
    }

    [Test]
    public void The_CLI_knows_the_service_only_by_its_HTTP_API()
    {
        var project = File.ReadAllText(Path.Combine(SourceFiles.RootDirectory.Value, "src", "PushApi.Cli", "PushApi.Cli.csproj"));
        Assert.That(project, Does.Not.Contain("ProjectReference"), "pushapi is a client: it references neither Server nor Core");
        var sources = SourceFiles.Parsed.Where(f => f.Path.StartsWith("src/PushApi.Cli/", StringComparison.Ordinal)).ToList();
        Assert.That(sources, Is.Not.Empty);
        var uses = sources.Where(f => f.Tree.GetText().ToString().Contains("PushApi.Server", StringComparison.Ordinal) || f.Tree.GetText().ToString().Contains("PushApi.Core", StringComparison.Ordinal))
            .Select(f => f.Path);
        Assert.That(uses, Is.Empty);
    }

    [Test]
    public void The_reader_sees_what_the_code_uses()
    {
        // So that the rules above can fail: known uses across folders are found.
        var server = TypeReferences.Of(ServerAssembly).Select(r => (TypeReferences.Area(r.From, Server), TypeReferences.Area(r.To, Server))).ToHashSet();
        Assert.That(server, Does.Contain(("Rest", "Salesforce")).And.Contain(("Soap", "Pipeline")).And.Contain(("Bulk", "Salesforce")));
        var core = TypeReferences.Of(CoreAssembly).Select(r => (TypeReferences.Area(r.From, Core), TypeReferences.Area(r.To, Core))).ToHashSet();
        Assert.That(core, Does.Contain(("Deployments", "Dml")).And.Contain(("Notifications", "Push")).And.Contain(("Dml", "Catalog")));
        Assert.That(TypeReferences.Of(CoreAssembly).Any(r => r.To.FullName == "Npgsql.NpgsqlDataSource" && TypeReferences.Area(r.From, Core) == "Deployments"), Is.True);
    }

    private static List<string> Uses(Assembly assembly, string root, Func<string, string, bool> forbidden) =>
        [.. TypeReferences.Of(assembly)
            .Select(r => (r.From, r.To, FromArea: TypeReferences.Area(r.From, root), ToArea: TypeReferences.Area(r.To, root)))
            .Where(r => r.FromArea is not null && r.ToArea is not null && forbidden(r.FromArea, r.ToArea))
            .Select(r => $"{r.From.FullName} ({r.FromArea}) uses {r.To.FullName} ({r.ToArea})")
            .Distinct()
            .Order(StringComparer.Ordinal)];
}
