using System.Text.Json;
using PushApi.Core.Packages.Contents;

namespace PushApi.UnitTests.Packages;

/// <summary>What an item must hold to be stored: a known type, a valid name and a definition with its type's fixed fields.</summary>
public sealed class ItemInputTests
{
    [TestCase("Field", "{}", "definition.object")]
    [TestCase("Field", """{"object": 5}""", "definition.object")]
    [TestCase("View", """{"object": "Deal"}""", "definition.visibility")]
    [TestCase("View", """{"object": "Deal", "visibility": "teams"}""", "definition.visibility")]
    [TestCase("Report", """{"folderVisibility": "nobody"}""", "definition.folderVisibility")]
    [TestCase("Application", """{"objects": "Deal"}""", "definition.objects")]
    [TestCase("Application", """{"tabs": ["../x"]}""", "definition.tabs")]
    [TestCase("Object", """{"masterDetail": {"parent": "Order"}}""", "definition.masterDetail")]
    [TestCase("RollupSummaryField", """{"object": "Order"}""", "definition.detail")]
    [TestCase("ObjectData", """{"object": "Order"}""", "definition.handlerClass")]
    [TestCase("Class", "[]", "definition")]
    public void A_definition_without_its_fixed_fields_is_refused_naming_the_field(string type, string definition, string field)
    {
        Assert.That(Input(type, "Thing", definition).Check().Keys, Does.Contain(field));
    }

    [TestCase("Gadget", "Thing", "type")]
    [TestCase(null, "Thing", "type")]
    [TestCase("Class", "", "name")]
    [TestCase("Class", "../evil", "name")]
    [TestCase("Class", ".hidden", "name")]
    [TestCase("Class", "a/b", "name")]
    public void An_unknown_type_or_a_bad_name_is_refused(string? type, string name, string field)
    {
        Assert.That(Input(type, name, "{}").Check().Keys, Does.Contain(field));
    }

    [Test]
    public void Fixed_fields_are_checked_and_the_rest_is_kept_as_given()
    {
        var input = Input("field", "Deal.Amount", """{"object": "Deal", "dataType": "Currency", "extra": {"any": [1, 2]}}""");
        Assert.That(input.Check(), Is.Empty);
        Assert.That(ItemTypes.Normalize("field"), Is.EqualTo("Field"));
    }

    [Test]
    public void A_missing_definition_is_refused()
    {
        Assert.That(new ItemInput("Class", "Billing", null, null).Check().Keys, Does.Contain("definition"));
    }

    private static ItemInput Input(string? type, string name, string definition)
    {
        using var document = JsonDocument.Parse(definition);
        return new ItemInput(type, name, document.RootElement.Clone(), null);
    }
}
