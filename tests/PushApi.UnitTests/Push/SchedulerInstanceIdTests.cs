using PushApi.Server.Scheduling;

namespace PushApi.UnitTests.Push;

public class SchedulerInstanceIdTests
{
    [TestCase("http://127.0.0.1:5080;https://127.0.0.1:5443", ":5080")]
    [TestCase("https://0.0.0.0:8443", ":8443")]
    [TestCase("http://*:7000", ":7000")]
    [TestCase("http://+:7001", ":7001")]
    public void A_fixed_port_gives_a_node_id_that_survives_restarts(string urls, string suffix) =>
        Assert.That(PushScheduling.StableInstanceId(urls), Is.EqualTo(Environment.MachineName + suffix));

    [TestCase("http://127.0.0.1:0")]
    [TestCase("")]
    [TestCase("not a url")]
    public void Without_a_fixed_port_the_id_is_generated(string urls) =>
        Assert.That(PushScheduling.StableInstanceId(urls), Is.Null);
}
