using System.Text.Json;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Publishing;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// What an import checks beyond the file's own soundness: that a package id already here is the same package,
/// and that the version holds definitions of the right shape and meets the package criteria, as if it had been
/// published here (a deployment only ever carries packages that meet them).
/// </summary>
public static class ImportChecks
{
    public static async Task EnsureSamePackageAsync(NpgsqlConnection connection, ManifestPackage package, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT name, namespace_prefix FROM packages WHERE id = $1", connection);
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (name, prefix) = (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        var same = prefix is not null || package.NamespacePrefix is not null
            ? string.Equals(prefix, package.NamespacePrefix, StringComparison.OrdinalIgnoreCase)
            : name == package.Name;
        if (!same)
        {
            throw new ConflictException(
                $"The package id {package.Id} belongs to another package on this installation ('{name}'{(prefix is null ? "" : $", namespace {prefix}")}); nothing was imported.");
        }
    }

    public static async Task EnsureMeetsCriteriaAsync(NpgsqlConnection connection, PackageArchive archive, CancellationToken cancellationToken)
    {
        var shapeProblems = new List<ArchiveProblem>();
        var selected = new List<WorkingItem>();
        var dependents = new List<WorkingItem>();
        foreach (var item in archive.Manifest.Items)
        {
            using var document = JsonDocument.Parse(archive.Files[item.Path]);
            var definition = document.RootElement.Clone();
            var type = ItemTypes.Normalize(item.Type) ?? item.Type;
            foreach (var (field, message) in ItemDefinitions.Validate(type, definition))
            {
                shapeProblems.Add(new ArchiveProblem("invalid_definition", item.Path, $"{field}: {message}"));
            }

            (item.Selected ? selected : dependents).Add(new WorkingItem(new ItemRef(type, item.Name), definition));
        }

        if (shapeProblems.Count > 0)
        {
            throw new ArchiveRejectedException(shapeProblems);
        }

        var dependencies = archive.Manifest.Dependencies.Select(d => new DependencyView(d.PackageId, d.MinimumVersion)).ToList();
        var (available, missing) = await NeededContents.ReadAsync(connection, dependencies, cancellationToken);
        var problems = PackageCriteria.Check(WorkingSet.Resolve(selected, dependents), available)

            // A needed package that is not on this installation yet cannot be looked into: what only it could
            // provide is checked when it is (the install engine refuses a tenant without it).
            .Where(p => missing.Count == 0 || p.Rule is not ("field-object" or "visible-roles-present"))
            .ToList();
        if (problems.Count > 0)
        {
            throw new RuleViolationException($"The package in the file does not meet the package criteria ({problems.Count} problems); nothing was imported.", problems);
        }
    }
}
