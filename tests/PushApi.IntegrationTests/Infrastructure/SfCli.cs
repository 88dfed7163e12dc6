using System.Diagnostics;
using System.Text.Json;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// The real Salesforce CLI (<c>@salesforce/cli</c> from tests/clients, run by the Node 22 that comes
/// with it: the CLI's HTTP stack needs Node 22.19 or newer). Each instance has its own HOME, so its
/// logins and caches are its own; telemetry, update checks and autoupdate are off.
/// </summary>
public sealed class SfCli : IDisposable
{
    private readonly Dictionary<string, string?> _environment;

    public SfCli()
    {
        Home = Directory.CreateTempSubdirectory("pushapi-sf-").FullName;
        WorkingDirectory = Directory.CreateDirectory(Path.Combine(Home, "work")).FullName;
        _environment = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["PATH"] = Path.GetDirectoryName(Node) + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["SF_DISABLE_TELEMETRY"] = "true",
            ["SF_DISABLE_AUTOUPDATE"] = "true",
            ["SF_SKIP_NEW_VERSION_CHECK"] = "true",
            ["SF_USE_GENERIC_UNIX_KEYCHAIN"] = "true",
            ["FORCE_COLOR"] = "0",
        };
    }

    public static string Node => ClientTools.PathOf(Path.Combine("node_modules", "node", "bin", "node"));

    public static string Script => ClientTools.PathOf(Path.Combine("node_modules", "@salesforce", "cli", "bin", "run.js"));

    /// <summary>The CLI's HOME (auth files, config, caches).</summary>
    public string Home { get; }

    /// <summary>Where commands run (the schedule command writes job_errors/ here).</summary>
    public string WorkingDirectory { get; }

    /// <summary>Runs <c>sf</c> with the arguments (add <c>--json</c> to get <see cref="Result.Json"/>).</summary>
    public async Task<Result> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        await ClientTools.EnsureInstalledAsync();
        var start = new ProcessStartInfo(Node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = WorkingDirectory,
        };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment.Concat(environment ?? new Dictionary<string, string?>()))
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"sf {string.Join(' ', arguments)} did not finish in 2 minutes");
        }

        var result = new Result(process.ExitCode, await stdout, await stderr);
        TestContext.Out.WriteLine($"$ sf {string.Join(' ', arguments)}  (exit {result.ExitCode})\n{result.Stdout}{result.Stderr}");
        return result;
    }

    public Task<Result> RunAsync(params string[] arguments) => RunAsync(null, arguments);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a lingering process; the temp directory is cleaned by the OS.
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>The <c>--json</c> document the command printed (on stdout, or on stderr for some failures).</summary>
        public JsonElement Json
        {
            get
            {
                foreach (var text in new[] { Stdout, Stderr })
                {
                    var start = text.IndexOf('{', StringComparison.Ordinal);
                    if (start >= 0)
                    {
                        return JsonDocument.Parse(text[start..]).RootElement;
                    }
                }

                throw new AssertionException($"sf printed no JSON:\n{Stdout}\n{Stderr}");
            }
        }
    }
}
