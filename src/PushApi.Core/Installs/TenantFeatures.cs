using PushApi.Core.Packages.Contents;

namespace PushApi.Core.Installs;

/// <summary>
/// The features a tenant may lack (its capabilities, <c>PATCH /api/v1/tenants/{orgKey}</c> <c>{capabilities: {features}}</c>;
/// null means every feature) and which item types need them. Installing an item whose feature the tenant lacks fails with
/// <c>FeatureMissing</c>.
/// </summary>
public static class TenantFeatures
{
    public const string Sites = "Sites";
    public const string Crm = "CRM";

    public static readonly IReadOnlyList<string> All = [Sites, Crm];

    private static readonly Dictionary<string, string> NeededBy = new(StringComparer.Ordinal)
    {
        [ItemTypes.Site] = Sites,
        [ItemTypes.Opportunity] = Crm,
        [ItemTypes.Product] = Crm,
        [ItemTypes.PriceBook] = Crm,
        [ItemTypes.Campaign] = Crm,
        [ItemTypes.List] = Crm,
        [ItemTypes.ListMember] = Crm,
    };

    /// <summary>The feature an item of <paramref name="type"/> needs, or null.</summary>
    public static string? Needs(string type) => NeededBy.GetValueOrDefault(type);

    /// <summary>The feature as spelled here, or null when no feature has the name (without case).</summary>
    public static string? Normalize(string? name) => All.FirstOrDefault(f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
}
