using System.Text.Json;
using PushApi.Core.Packages.Contents;

namespace PushApi.Core.Demo;

/// <summary>
/// The demo package's contents: an application with two objects in a master-detail pair (the master has a
/// rollup summary field), fields, a class, a web tab with a page and a role. Each later version changes a
/// few items, so an upgrade has something to do.
/// </summary>
public static class DemoContents
{
    public static IReadOnlyList<ItemInput> First { get; } =
    [
        Item(ItemTypes.Application, "Billing", """{"objects": ["Invoice", "Invoice Line"], "tabs": ["Invoices"], "label": "Billing"}"""),
        Item(ItemTypes.Object, "Invoice", """{"label": "Invoice", "rollupSummaryFields": ["Invoice Total"]}"""),
        Item(ItemTypes.Object, "Invoice Line", """{"label": "Invoice Line", "masterDetail": {"master": "Invoice"}}"""),
        Item(ItemTypes.Field, "Invoice.Amount", """{"object": "Invoice", "dataType": "Currency", "label": "Amount"}"""),
        Item(ItemTypes.Field, "Invoice.Status", """{"object": "Invoice", "dataType": "Picklist", "values": ["Draft", "Sent", "Paid"]}"""),
        Item(ItemTypes.Field, "Invoice Line.Quantity", """{"object": "Invoice Line", "dataType": "Number"}"""),
        Item(ItemTypes.RollupSummaryField, "Invoice Total", """{"object": "Invoice", "detail": "Invoice Line", "function": "SUM", "field": "Quantity"}"""),
        Item(ItemTypes.Class, "InvoiceService", """{"language": "java", "source": "public class InvoiceService { }"}"""),
        Item(ItemTypes.WebTab, "Invoices", """{"pages": ["Invoice Page"], "components": [], "widgets": []}"""),
        Item(ItemTypes.Page, "Invoice Page", """{"title": "Invoices", "layout": "one-column"}"""),
        Item(ItemTypes.Role, "Billing Clerk", """{"permissions": {"Invoice": ["Create", "View"]}}"""),
    ];

    /// <summary>What changes in each later version (by item type and name): a new or changed definition.</summary>
    public static IReadOnlyList<IReadOnlyList<ItemInput>> Changes { get; } =
    [
        [
            Item(ItemTypes.Field, "Invoice.Due Date", """{"object": "Invoice", "dataType": "Date"}"""),
            Item(ItemTypes.Class, "InvoiceService", """{"language": "java", "source": "public class InvoiceService { void send() { } }"}"""),
        ],
        [
            Item(ItemTypes.Page, "Invoice Page", """{"title": "Invoices", "layout": "two-column"}"""),
            Item(ItemTypes.Role, "Billing Clerk", """{"permissions": {"Invoice": ["Create", "View", "Edit"]}}"""),
        ],
        [
            Item(ItemTypes.Field, "Invoice.Currency", """{"object": "Invoice", "dataType": "Text", "length": 3}"""),
        ],
    ];

    private static ItemInput Item(string type, string name, string definition)
    {
        using var document = JsonDocument.Parse(definition);
        return new ItemInput(type, name, document.RootElement.Clone(), null);
    }
}
