namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// The real client libraries in tests/clients (jsforce and others, pinned by its package-lock.json).
/// .ci/run installs them; a developer's first <c>dotnet test</c> does too, when they are missing or
/// older than the lock file.
/// </summary>
public static class ClientTools
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _ready;

    public static string Directory => Repository.PathOf("tests", "clients");

    public static string PathOf(string file) => Path.Combine(Directory, file);

    /// <summary>
    /// A new directory for a browser test's screenshots under the test run's work directory (bin/…/screenshots), not
    /// /tmp: the files stay with the build that made them (attached to the test results) and leave nothing behind.
    /// </summary>
    public static string ScreenshotDirectory(string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public static async Task EnsureInstalledAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_ready)
            {
                return;
            }

            var lockFile = PathOf("package-lock.json");
            var installed = Path.Combine(Directory, "node_modules", ".package-lock.json");
            if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(lockFile))
            {
                var (exitCode, output) = await ExternalProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], timeout: TimeSpan.FromMinutes(5), workingDirectory: Directory);
                Assert.That(exitCode, Is.Zero, "npm ci in tests/clients failed (the client libraries come from the npm registry):\n" + output);
            }

            _ready = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs a Node script of tests/clients with the given environment; fails the test on a non-zero exit.</summary>
    public static async Task<string> RunNodeAsync(string script, IDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        await EnsureInstalledAsync();
        var (exitCode, output) = await ExternalProcess.RunAsync("node", [PathOf(script)], environment, timeout ?? TimeSpan.FromMinutes(3), Directory);
        TestContext.Out.WriteLine(output);
        Assert.That(exitCode, Is.Zero, $"{script} failed:\n{output}");
        return output;
    }
}
