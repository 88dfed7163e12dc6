using System.Diagnostics.CodeAnalysis;

namespace PushApi.Core.Packages.Contents;

/// <summary>
/// The kinds of platform element a package can hold (the LongJump "Mass Deployment" document's package
/// items). Names are matched without case and always written as spelled here.
/// </summary>
[SuppressMessage("Naming", "CA1720", Justification = "The names are the document's element names, which clients send.")]
public static class ItemTypes
{
    public const string Application = "Application";
    public const string Object = "Object";
    public const string Field = "Field";
    public const string ObjectData = "ObjectData";
    public const string Class = "Class";
    public const string WebTab = "WebTab";
    public const string Page = "Page";
    public const string Widget = "Widget";
    public const string Component = "Component";
    public const string Role = "Role";
    public const string Team = "Team";
    public const string DataSharingPolicy = "DataSharingPolicy";
    public const string Report = "Report";
    public const string View = "View";
    public const string Site = "Site";
    public const string Sidebar = "Sidebar";
    public const string LocalizedLabels = "LocalizedLabels";
    public const string RollupSummaryField = "RollupSummaryField";
    public const string Product = "Product";
    public const string PriceBook = "PriceBook";
    public const string Opportunity = "Opportunity";
    public const string Campaign = "Campaign";
    public const string List = "List";
    public const string ListMember = "ListMember";

    /// <summary>Accepted in a working set only so that publishing can refuse it with the document's reason.</summary>
    public const string User = "User";

    public static IReadOnlyList<string> All { get; } =
    [
        Application, Object, Field, ObjectData, Class, WebTab, Page, Widget, Component, Role, Team, DataSharingPolicy,
        Report, View, Site, Sidebar, LocalizedLabels, RollupSummaryField, Product, PriceBook, Opportunity, Campaign,
        List, ListMember, User,
    ];

    private static readonly Dictionary<string, string> ByName = All.ToDictionary(t => t, StringComparer.OrdinalIgnoreCase);

    /// <summary>The type as spelled here, or null when <paramref name="type"/> names no item type.</summary>
    public static string? Normalize(string? type) => type is not null && ByName.TryGetValue(type, out var found) ? found : null;
}
