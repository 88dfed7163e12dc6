using PushApi.Server.Pipeline;

namespace PushApi.UnitTests.Pipeline;

public class ClientTextTests
{
    [Test]
    public void Type_names_become_words()
    {
        var text = ClientText.Clean("The JSON value could not be converted to System.Collections.Generic.IReadOnlyList`1[System.String]. Path: $.orgKeys");
        Assert.That(text, Is.EqualTo("The JSON value could not be converted to an array of strings. Path: $.orgKeys"));
        Assert.That(ClientText.Clean("Expected PushApi.Core.Tenants.TenantInput."), Is.EqualTo("Expected a value of the expected shape."));
        Assert.That(ClientText.Clean("not a System.Nullable`1[System.Boolean]"), Is.EqualTo("not a true or false"));
    }

    [Test]
    public void Echoed_values_are_cut()
    {
        var huge = new string('x', 5_000_000);
        var text = ClientText.Clean($"'{huge}' is not an org key.");
        Assert.That(text, Is.EqualTo($"'{new string('x', ClientText.MaxEcho)}…' is not an org key."));
        Assert.That(ClientText.Clean(huge), Has.Length.EqualTo(ClientText.MaxMessage + 1));
        Assert.That(ClientText.Clean("'short' stays"), Is.EqualTo("'short' stays"));
    }
}
