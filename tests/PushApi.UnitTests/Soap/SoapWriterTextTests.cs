using PushApi.Server.Soap;

namespace PushApi.UnitTests.Soap;

public class SoapWriterTextTests
{
    [Test]
    public void Characters_XML_cannot_hold_become_the_replacement_character_and_the_rest_is_kept()
    {
        Assert.That(SoapWriter.XmlText("plain text"), Is.EqualTo("plain text"));
        Assert.That(SoapWriter.XmlText("a\u001fb"), Is.EqualTo("a\uFFFDb"), "a control character an XML parser's message quotes");
        Assert.That(SoapWriter.XmlText("\u0000"), Is.EqualTo("\uFFFD"));
        Assert.That(SoapWriter.XmlText("tab\tand\nnewline\r"), Is.EqualTo("tab\tand\nnewline\r"));
        Assert.That(SoapWriter.XmlText("lone " + '\ud800' + " surrogate"), Is.EqualTo("lone \uFFFD surrogate"));
        Assert.That(SoapWriter.XmlText("low " + '\udc00' + " first"), Is.EqualTo("low \uFFFD first"));
        Assert.That(SoapWriter.XmlText("pair \ud834\udd1e kept"), Is.EqualTo("pair \ud834\udd1e kept"));
        Assert.That(SoapWriter.XmlText("\uFFFE"), Is.EqualTo("\uFFFD"));
    }
}
