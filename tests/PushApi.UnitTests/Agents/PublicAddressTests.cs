using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PushApi.Core.Notifications;
using PushApi.Server.Hosting;
using PushApi.Server.Notifications;

namespace PushApi.UnitTests.Agents;

/// <summary>Without <c>PushApi:PublicUrl</c>, links carry an address the server listens on.</summary>
public class PublicAddressTests
{
    [TestCase(new[] { "https://127.0.0.1:5443", "http://127.0.0.1:5080" }, "http://127.0.0.1:5080/")]
    [TestCase(new[] { "https://127.0.0.1:5443" }, "https://127.0.0.1:5443/")]
    [TestCase(new[] { "http://0.0.0.0:8080" }, "http://localhost:8080/")]
    [TestCase(new[] { "http://[::]:8080" }, "http://localhost:8080/")]
    [TestCase(new[] { "http://*:7000" }, "http://localhost:7000/")]
    [TestCase(new[] { "http://+:7001" }, "http://localhost:7001/")]
    public void The_listening_address_is_given_out_http_first_and_wildcards_as_localhost(string[] listening, string expected) =>
        Assert.That(PublicAddress.FromListening(listening)!.AbsoluteUri, Is.EqualTo(expected));

    [Test]
    public void Not_listening_yet_gives_no_address() =>
        Assert.That(PublicAddress.FromListening([]), Is.Null);

    [TestCase("https://push.example.com", true)]
    [TestCase("http://push.example.com/pushapi/", true)]
    [TestCase("ftp://push.example.com", false)]
    [TestCase("push.example.com", false)]
    [TestCase("https://push.example.com/?a=1", false)]
    [TestCase("", false)]
    public void A_public_url_is_an_absolute_http_or_https_url(string url, bool valid) =>
        Assert.That(PushApiOptions.IsValidPublicUrl(url), Is.EqualTo(valid));

    [TestCase("https://push.example.com", null, "https://push.example.com")]
    [TestCase("https://push.example.com", "https://mail-links.example.com", "https://mail-links.example.com")]
    [TestCase(null, null, "http://127.0.0.1:5080")]
    public void Mails_link_to_the_public_url_unless_given_their_own(string? publicUrl, string? notificationsUrl, string expected)
    {
        var settings = new Dictionary<string, string?> { ["PushApi:PublicUrl"] = publicUrl, ["PushApi:Notifications:PublicUrl"] = notificationsUrl };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Where(s => s.Value is not null)).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddPushApiNotifications().BuildServiceProvider();
        Assert.That(services.GetRequiredService<IOptions<NotificationOptions>>().Value.PublicUrl, Is.EqualTo(expected));
    }
}
