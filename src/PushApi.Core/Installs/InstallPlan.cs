namespace PushApi.Core.Installs;

/// <summary>One item of a plan: its type and name, and why it is listed where it is when that is not obvious.</summary>
public sealed record PlanEntry(string Type, string Name, string? Note = null);

/// <summary>
/// Why the install cannot go ahead, as a PackagePushError says it: Salesforce's ErrorType (<c>DeployError</c>,
/// <c>IneligibleUpgrade</c>…), its title, a message, and the items concerned.
/// </summary>
public sealed record PlanError(string ErrorType, string Title, string Message, IReadOnlyList<PlanEntry> Items);

/// <summary>A package the version needs, at <see cref="Minimum"/> or later, and the version of it the tenant has (null: none).</summary>
public sealed record NeededPackage(string PackageId, Packages.VersionNumber Minimum, Packages.VersionNumber? Installed);

/// <summary>
/// What installing a version into a tenant does (<c>GET /api/v1/tenants/{orgKey}/install-plan</c>): a fresh
/// <c>install</c> when the tenant has no version of the package, else an <c>upgrade</c>. Items new to the tenant
/// are created, changed ones updated (a tenant's changes to them overwritten), the tenant's additions to the
/// package's objects preserved, and items the version dropped kept as orphaned. Any conflict stops the install.
/// </summary>
public sealed record InstallPlan(
    string Kind,
    IReadOnlyList<PlanEntry> Create,
    IReadOnlyList<PlanEntry> Update,
    IReadOnlyList<PlanEntry> Overwrite,
    IReadOnlyList<PlanEntry> Preserve,
    IReadOnlyList<PlanEntry> Orphan,
    IReadOnlyList<PlanEntry> Conflicts,
    int Unchanged,
    IReadOnlyList<PlanError> Errors)
{
    /// <summary>The tenant roles the install changes or leaves (a packaged role named like one, or a role named in grantRoles), each with what happens to it.</summary>
    public IReadOnlyList<PlanEntry> Roles { get; init; } = [];

    public IReadOnlyDictionary<string, int> Counts => new Dictionary<string, int>
    {
        ["create"] = Create.Count,
        ["update"] = Update.Count,
        ["overwrite"] = Overwrite.Count,
        ["preserve"] = Preserve.Count,
        ["orphan"] = Orphan.Count,
        ["conflicts"] = Conflicts.Count,
        ["unchanged"] = Unchanged,
        ["roles"] = Roles.Count,
    };
}

/// <summary>An item of the version being installed: type, name and the checksum of its definition.</summary>
public sealed record VersionContent(string Type, string Name, string Sha256);

/// <summary>Computes an <see cref="InstallPlan"/> from the version's items and the tenant's components; pure, so a plan shown is the plan applied.</summary>
public static class InstallPlanner
{
    public static InstallPlan Plan(
        long package, bool installed, IReadOnlyList<VersionContent> items, IReadOnlyList<TenantComponent> components,
        IReadOnlyList<NeededPackage>? needed = null, int? maxRollupSummaryFields = null, IReadOnlySet<string>? features = null, InstallOptions? options = null)
    {
        var ours = components.Where(c => c.PackageId == package).ToDictionary(c => Key(c.Type, c.Name), ItemKeys.Comparer);
        var others = components.Where(c => c.PackageId != package).ToLookup(c => Key(c.Type, c.ApiName), ItemKeys.Comparer);
        var inVersion = items.Select(i => Key(i.Type, i.Name)).ToHashSet(ItemKeys.Comparer);
        var (create, update, overwrite, conflicts) = (new List<PlanEntry>(), new List<PlanEntry>(), new List<PlanEntry>(), new List<PlanEntry>());
        var unchanged = 0;
        foreach (var item in items)
        {
            if (item.Type == Packages.Contents.ItemTypes.Role && others[Key(item.Type, item.Name)].Any())
            {
                // A role the tenant has already: the roles mode says what happens to it (see Roles).
                continue;
            }

            if (others[Key(item.Type, item.Name)].FirstOrDefault() is { } clash)
            {
                conflicts.Add(new PlanEntry(item.Type, item.Name, clash.Origin == ComponentOrigins.Tenant
                    ? $"the tenant's own {clash.Type} {clash.ApiName} has this name"
                    : $"a {clash.Type} of another package has this name"));
            }
            else if (!ours.TryGetValue(Key(item.Type, item.Name), out var existing))
            {
                create.Add(new PlanEntry(item.Type, item.Name));
            }
            else if (existing.Modified)
            {
                overwrite.Add(new PlanEntry(item.Type, item.Name, "the tenant's change is overwritten"));
            }
            else if (existing.Sha256 != item.Sha256 || existing.Orphaned)
            {
                update.Add(new PlanEntry(item.Type, item.Name));
            }
            else
            {
                unchanged++;
            }
        }

        var objects = items.Where(i => i.Type == Packages.Contents.ItemTypes.Object).Select(i => i.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var preserve = components
            .Where(c => c.Origin == ComponentOrigins.Tenant && c.Parent is not null && objects.Contains(c.Parent))
            .Select(c => new PlanEntry(c.Type, c.ApiName, $"the tenant's addition to {c.Parent}"))
            .ToList();
        var orphan = ours.Values
            .Where(c => !inVersion.Contains(Key(c.Type, c.Name)))
            .Select(c => new PlanEntry(c.Type, c.Name, "not in this version: kept, marked orphaned"))
            .ToList();
        var errors = Errors(conflicts, needed ?? []);
        if (RollupLimit(package, items, components, maxRollupSummaryFields) is { } limit)
        {
            errors.Add(limit);
        }

        if (MissingFeatures(items, features) is { } missing)
        {
            errors.Add(missing);
        }

        var roles = Roles.RolePlanner.Plan(items, others, options ?? InstallOptions.Default, errors);
        return new InstallPlan(installed ? "upgrade" : "install", create, update, overwrite, preserve, orphan, conflicts, unchanged, errors) { Roles = roles };
    }

    /// <summary>The items that need a feature the tenant lacks (<paramref name="features"/> null: it has them all).</summary>
    private static PlanError? MissingFeatures(IReadOnlyList<VersionContent> items, IReadOnlySet<string>? features)
    {
        if (features is null)
        {
            return null;
        }

        var lacking = items.Where(i => TenantFeatures.Needs(i.Type) is { } f && !features.Contains(f)).ToList();
        if (lacking.Count == 0)
        {
            return null;
        }

        var named = lacking.GroupBy(i => TenantFeatures.Needs(i.Type)!).Select(g => $"{g.Key} (needed by {string.Join(", ", g.Select(i => $"{i.Type} {i.Name}"))})");
        return new PlanError("FeatureMissing", "Feature Missing",
            $"The tenant lacks the feature{(lacking.Select(i => TenantFeatures.Needs(i.Type)).Distinct().Count() > 1 ? "s" : "")} {string.Join("; ", named)}; enable it in the tenant's capabilities to install this package.",
            [.. lacking.Select(i => new PlanEntry(i.Type, i.Name, $"needs the feature {TenantFeatures.Needs(i.Type)}"))]);
    }

    /// <summary>The tenant's rollup summary fields after the install (others', this version's, and this package's orphaned ones) beyond its limit.</summary>
    private static PlanError? RollupLimit(long package, IReadOnlyList<VersionContent> items, IReadOnlyList<TenantComponent> components, int? max)
    {
        const string Rollup = Packages.Contents.ItemTypes.RollupSummaryField;
        if (max is not { } limit)
        {
            return null;
        }

        var incoming = items.Where(i => i.Type == Rollup).Select(i => Key(i.Type, i.Name)).ToHashSet(ItemKeys.Comparer);
        var after = components.Count(c => c.Type == Rollup && (c.PackageId != package || !incoming.Contains(Key(c.Type, c.Name)))) + incoming.Count;
        return after <= limit
            ? null
            : new PlanError("LimitExceeded", "Rollup Summary Field Limit Exceeded",
                $"The tenant may have {limit} rollup summary fields and would have {after} after this install; delete {after - limit} existing rollup summary fields to install it.",
                items.Where(i => i.Type == Rollup).Select(i => new PlanEntry(i.Type, i.Name)).ToList());
    }

    private static List<PlanError> Errors(List<PlanEntry> conflicts, IReadOnlyList<NeededPackage> needed)
    {
        var errors = new List<PlanError>();
        if (conflicts.Count > 0)
        {
            errors.Add(new PlanError("DeployError", "Name Conflict",
                $"{string.Join(", ", conflicts.Select(c => $"{c.Type} {c.Name}"))} already exist in the tenant; rename the conflicting items in the package or in the tenant.", conflicts));
        }

        foreach (var need in needed.Where(n => n.Installed is not { } v || v < n.Minimum))
        {
            errors.Add(new PlanError("IneligibleUpgrade", "Dependent Package Conflict",
                need.Installed is { } v
                    ? $"This package requires package {need.PackageId} version {need.Minimum} or later; the tenant has version {v}."
                    : $"This package requires package {need.PackageId} version {need.Minimum} or later, which the tenant does not have.",
                []));
        }

        return errors;
    }

    /// <summary>An item's key: its type and name, compared by <see cref="ItemKeys.Comparer"/> (names without case).</summary>
    internal static (string Type, string Name) Key(string type, string name) => (type, name);
}

/// <summary>Compares item keys as names are unique: the type exactly, the name without case (no string is made to compare).</summary>
internal sealed class ItemKeys : IEqualityComparer<(string Type, string Name)>
{
    public static readonly ItemKeys Comparer = new();

    public bool Equals((string Type, string Name) x, (string Type, string Name) y) =>
        string.Equals(x.Type, y.Type, StringComparison.Ordinal) && string.Equals(x.Name, y.Name, StringComparison.OrdinalIgnoreCase);

    public int GetHashCode((string Type, string Name) key) =>
        HashCode.Combine(StringComparer.Ordinal.GetHashCode(key.Type), StringComparer.OrdinalIgnoreCase.GetHashCode(key.Name));
}
