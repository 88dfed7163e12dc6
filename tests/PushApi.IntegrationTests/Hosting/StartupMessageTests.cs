using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Hosting;

/// <summary>
/// What a new user sees when the server starts: where the console and the API reference are, no Quartz chatter around
/// the admin password; and a port already taken is one line saying what to do, not a stack trace.
/// </summary>
[NonParallelizable]
public class StartupMessageTests
{
    [Test]
    public async Task The_start_says_where_the_console_is_and_a_taken_port_is_one_line_and_exit_code_2_and_the_password_box_comes_last()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-banner-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__PushApi"] = await TestPostgres.CreateDatabaseAsync("banner"),
            ["PushApi__DataDirectory"] = dataDirectory,
            ["PushApi__Demo__Subscribers"] = "3",
        };
        try
        {
            using var first = ServerProcess.Start(Path.GetTempPath(), settings);
            using var client = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            await first.WaitUntilReadyAsync(client);
            await WaitForAsync(() => first.Output.Contains("/swagger", StringComparison.Ordinal));
            Assert.That(first.Output, Does.Contain($"{first.BaseAddress.GetLeftPart(UriPartial.Authority)}/monitor/").And.Contain("/swagger"));
            Assert.That(first.Output, Does.Not.Contain("Quartz."), "Quartz's information lines are down to warnings");
            await WaitForAsync(() => first.Output.Contains("| Password: ", StringComparison.Ordinal));
            var box = first.Output.IndexOf("| Password: ", StringComparison.Ordinal);
            Assert.That(box, Is.GreaterThan(first.Output.IndexOf("Application started", StringComparison.Ordinal)).And.GreaterThan(first.Output.IndexOf("/swagger", StringComparison.Ordinal)),
                "the generated password is boxed after the framework's start-up lines");

            using var second = ServerProcess.Start(Path.GetTempPath(), settings, port: first.BaseAddress.Port);
            await WaitForAsync(() => second.HasExited, TimeSpan.FromSeconds(60));
            Assert.That(second.ExitCode, Is.EqualTo(2), second.Output);
            Assert.That(second.Output, Does.Contain("address already in use").And.Contain("--urls"));
            Assert.That(second.Output, Does.Not.Contain("   at ").And.Not.Contain("Unhandled exception"), "one line, no stack trace");
            Assert.That(second.Output, Does.Contain("PushApi__Demo__Subscribers is set, but the database already holds packages"), "a demo setting on a database with data is not ignored silently");
            first.StopGracefully();
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.That(TimeProvider.System.GetUtcNow(), Is.LessThan(deadline), "timed out");
            await Task.Delay(100);
        }
    }
}
