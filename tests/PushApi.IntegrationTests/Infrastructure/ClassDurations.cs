using System.Globalization;
using System.Text;
using NUnit.Framework.Interfaces;

[assembly: PushApi.IntegrationTests.Infrastructure.ClassDurations]

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// How long each test class took, printed at the end of the run (slowest first) and written to
/// TestResults/class-durations.txt: the wall time from the previous class's last test to this class's last test, so a
/// class's one-time set-up (its server, its database, its data) counts with it. Tells where the suite's time goes.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class ClassDurationsAttribute : Attribute, ITestAction
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (TimeSpan Wall, int Tests)> ByClass = new(StringComparer.Ordinal);
    private static DateTimeOffset _mark = TimeProvider.System.GetUtcNow();

    public ActionTargets Targets => ActionTargets.Test;

    /// <summary>The run starts (the root set-up fixture): the first class counts from here, the test PostgreSQL's start included.</summary>
    public static void Start()
    {
        lock (Gate)
        {
            _mark = TimeProvider.System.GetUtcNow();
        }
    }

    public void BeforeTest(ITest test)
    {
    }

    public void AfterTest(ITest test)
    {
        var now = TimeProvider.System.GetUtcNow();
        lock (Gate)
        {
            var name = test.ClassName ?? "?";
            var seen = ByClass.GetValueOrDefault(name);
            ByClass[name] = (seen.Wall + (now - _mark), seen.Tests + 1);
            _mark = now;
        }
    }

    /// <summary>The report, slowest class first.</summary>
    public static string Report()
    {
        lock (Gate)
        {
            var text = new StringBuilder("Test classes by wall time (one-time set-up included), slowest first:\n");
            foreach (var (name, (wall, tests)) in ByClass.OrderByDescending(c => c.Value.Wall))
            {
                text.Append(CultureInfo.InvariantCulture, $"{wall.TotalSeconds,8:0.0} s  {tests,4} tests  {name}\n");
            }

            return text.ToString();
        }
    }

    /// <summary>Prints the report and writes it next to the trx file.</summary>
    public static void Write()
    {
        var report = Report();
        TestContext.Progress.WriteLine(report);
        var directory = Repository.PathOf("tests", "PushApi.IntegrationTests", "TestResults");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "class-durations.txt"), report);
    }
}
