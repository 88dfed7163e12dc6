namespace PushApi.UnitTests;

public class ArchitectureTests
{
    [Test]
    public void Core_knows_nothing_of_ASP_NET_Core_or_Quartz()
    {
        var references = typeof(PushApi.Core.CoreServices).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.That(references.Where(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("Quartz", StringComparison.Ordinal)), Is.Empty);
    }
}
