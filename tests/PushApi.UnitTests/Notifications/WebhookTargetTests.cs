using System.Net;
using System.Net.Sockets;
using PushApi.Server.Notifications;

namespace PushApi.UnitTests.Notifications;

public class WebhookTargetTests
{
    [TestCase("127.0.0.1", true)]
    [TestCase("169.254.169.254", true)]
    [TestCase("10.0.0.5", true)]
    [TestCase("172.16.0.1", true)]
    [TestCase("172.31.255.255", true)]
    [TestCase("192.168.1.1", true)]
    [TestCase("100.64.0.1", true)]
    [TestCase("0.0.0.0", true)]
    [TestCase("224.0.0.1", true)]
    [TestCase("::1", true)]
    [TestCase("fe80::1", true)]
    [TestCase("fd00::1", true)]
    [TestCase("::ffff:127.0.0.1", true)]
    [TestCase("::ffff:169.254.169.254", true)]
    [TestCase("172.32.0.1", false)]
    [TestCase("100.128.0.1", false)]
    [TestCase("93.184.215.14", false)]
    [TestCase("2606:4700::1111", false)]
    public void Addresses_of_this_host_private_networks_and_the_metadata_service_are_private(string address, bool expected) =>
        Assert.That(WebhookTargets.IsPrivate(IPAddress.Parse(address)), Is.EqualTo(expected));

    [Test]
    public async Task A_delivery_to_a_name_that_resolves_to_loopback_is_refused_unless_private_targets_are_allowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = new DnsEndPoint("localhost", ((IPEndPoint)listener.LocalEndpoint).Port);

        var refused = Assert.ThrowsAsync<HttpRequestException>(async () => await WebhookTargets.ConnectAsync(endpoint, new WebhookOptions(), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("private network"));

        await using var stream = await WebhookTargets.ConnectAsync(endpoint, new WebhookOptions { AllowPrivateTargets = true }, CancellationToken.None);
        using var accepted = await listener.AcceptTcpClientAsync();
        Assert.That(accepted.Connected, Is.True);
    }

    [Test]
    public void Registering_a_private_address_is_refused_and_a_public_one_accepted()
    {
        Assert.ThrowsAsync<Core.Errors.InputException>(async () => await WebhookTargets.CheckAsync(new Uri("http://169.254.169.254/latest/meta-data/"), new WebhookOptions(), CancellationToken.None));
        Assert.ThrowsAsync<Core.Errors.InputException>(async () => await WebhookTargets.CheckAsync(new Uri("http://localhost:5432/"), new WebhookOptions(), CancellationToken.None));
        Assert.ThrowsAsync<Core.Errors.InputException>(async () => await WebhookTargets.CheckAsync(new Uri("http://[::1]/hook"), new WebhookOptions(), CancellationToken.None));
        Assert.DoesNotThrowAsync(async () => await WebhookTargets.CheckAsync(new Uri("https://93.184.215.14/hook"), new WebhookOptions(), CancellationToken.None));
        Assert.DoesNotThrowAsync(async () => await WebhookTargets.CheckAsync(new Uri("http://localhost:5432/"), new WebhookOptions { AllowPrivateTargets = true }, CancellationToken.None));
    }
}
