using PushApi.Core.Packages.Contents;

namespace PushApi.UnitTests.Packages.Contents;

public class ItemNamesTests
{
    [TestCase("Account")]
    [TestCase("9 lives")]
    [TestCase("Invoice_Line-2.v1")]
    public void Letters_digits_spaces_and_a_few_marks_make_a_name(string name) =>
        Assert.That(ItemNames.IsValid(name), Is.True);

    [TestCase("", Description = "empty")]
    [TestCase(".hidden", Description = "leading dot")]
    [TestCase("a/b", Description = "separator")]
    [TestCase("a\\b", Description = "backslash")]
    [TestCase("name\n", Description = "trailing newline")]
    [TestCase(null, Description = "null")]
    public void Anything_that_could_leave_its_folder_is_not_a_name(string? name) =>
        Assert.That(ItemNames.IsValid(name), Is.False);

    [Test]
    public void A_name_is_at_most_80_characters()
    {
        Assert.That(ItemNames.IsValid(new string('a', ItemNames.MaxLength)), Is.True);
        Assert.That(ItemNames.IsValid(new string('a', ItemNames.MaxLength + 1)), Is.False);
    }

    [Test]
    public void An_item_file_lives_under_its_type() =>
        Assert.That(ItemNames.PathOf(ItemTypes.Class, "Invoice"), Is.EqualTo("items/Class/Invoice.json"));
}
