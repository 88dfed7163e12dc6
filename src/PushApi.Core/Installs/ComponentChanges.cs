namespace PushApi.Core.Installs;

/// <summary>
/// The rows applying a batch's plans writes, read off the plans themselves (so what is applied is what the plans
/// say): each created item (tenant, item position), each updated or overwritten component (its id, the item
/// position whose definition it takes), each component to mark orphaned, and the tenants whose install is recorded.
/// Components a plan counts as unchanged are not written at all.
/// </summary>
public sealed record ComponentChanges(
    IReadOnlyList<string> Tenants,
    IReadOnlyList<(string OrgKey, int Item)> Creates,
    IReadOnlyList<(long Id, int Item)> Updates,
    IReadOnlyList<long> Orphans)
{
    public static ComponentChanges Of(VersionContents version, IReadOnlyList<TenantInstall> installs)
    {
        var positions = new Dictionary<(string, string), int>(ItemKeys.Comparer);
        for (var i = 0; i < version.Items.Count; i++)
        {
            positions[InstallPlanner.Key(version.Items[i].Type, version.Items[i].Name)] = i;
        }

        var (creates, updates, orphans) = (new List<(string, int)>(), new List<(long, int)>(), new List<long>());
        foreach (var install in installs)
        {
            var ours = install.Ours.ToDictionary(c => InstallPlanner.Key(c.Type, c.Name), ItemKeys.Comparer);
            creates.AddRange(install.Plan.Create.Select(e => (install.OrgKey, positions[InstallPlanner.Key(e.Type, e.Name)])));
            updates.AddRange(install.Plan.Update.Concat(install.Plan.Overwrite).Select(e => (ours[InstallPlanner.Key(e.Type, e.Name)].Id, positions[InstallPlanner.Key(e.Type, e.Name)])));
            orphans.AddRange(install.Plan.Orphan.Select(e => ours[InstallPlanner.Key(e.Type, e.Name)]).Where(c => !c.Orphaned).Select(c => c.Id));
        }

        return new ComponentChanges([.. installs.Select(i => i.OrgKey)], creates, updates, orphans);
    }
}
