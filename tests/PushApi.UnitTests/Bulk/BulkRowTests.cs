using PushApi.Core.Bulk;

namespace PushApi.UnitTests.Bulk;

public class BulkRowTests
{
    private static readonly string[] Names = ["PackagePushRequestId", "SubscriberOrganizationKey", "Status"];

    // Two rows of a chunk, side by side: the second row's cells start at offset 3.
    private static readonly string[] Cells = ["0DV000000000001", "00D000000000001", "", "0DV000000000001", BulkCsv.NullValue, "Created"];

    [Test]
    public void An_empty_cell_leaves_its_field_out_and_NA_sends_null()
    {
        var first = new BulkRow(Names, Cells, 0);
        Assert.That(first.ToDictionary(p => p.Key, p => p.Value), Is.EqualTo(new Dictionary<string, object?>
        {
            ["PackagePushRequestId"] = "0DV000000000001",
            ["SubscriberOrganizationKey"] = "00D000000000001",
        }));
        Assert.That(first, Has.Count.EqualTo(2));
        Assert.That(first.ContainsKey("Status"), Is.False);

        var second = new BulkRow(Names, Cells, 3);
        Assert.That(second.TryGetValue("SubscriberOrganizationKey", out var key), Is.True);
        Assert.That(key, Is.Null);
        Assert.That(second.Keys, Is.EqualTo(Names));
        Assert.That(second.Values, Is.EqualTo(new object?[] { "0DV000000000001", null, "Created" }));
    }

    [Test]
    public void Names_are_found_ignoring_case()
    {
        var row = new BulkRow(Names, Cells, 3);
        Assert.That(row["status"], Is.EqualTo("Created"));
        Assert.That(row.ContainsKey("PACKAGEPUSHREQUESTID"), Is.True);
        Assert.That(() => row["Missing"], Throws.TypeOf<KeyNotFoundException>());
    }
}
