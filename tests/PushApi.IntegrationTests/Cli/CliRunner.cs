using System.Diagnostics;

namespace PushApi.IntegrationTests.Cli;

/// <summary>
/// The built <c>pushapi</c> tool (src/PushApi.Cli's build output) run as a child process with <c>dotnet</c>, as its users
/// run it: arguments, environment and standard input given, standard output and standard error kept apart.
/// </summary>
public sealed class CliRunner(string configDirectory)
{
    public static string Tool { get; } = Infrastructure.Repository.PathOf("src", "PushApi.Cli", "bin", Configuration, "net10.0", "PushApi.Cli.dll");

    public string ConfigDirectory { get; } = configDirectory;

    /// <summary>Runs the tool to its end (failing the test after the timeout).</summary>
    public async Task<CliResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, string? input = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Tool);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PUSHAPI_CONFIG_DIR"] = ConfigDirectory;
        foreach (var name in new[] { "PUSHAPI_URL", "PUSHAPI_TOKEN", "XDG_CONFIG_HOME" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
        }

        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"pushapi {string.Join(' ', start.ArgumentList.Skip(1))} did not finish:\n{await stdout}\n{await stderr}");
        }

        var result = new CliResult(process.ExitCode, await stdout, await stderr);
        TestContext.Out.WriteLine($"$ pushapi {string.Join(' ', start.ArgumentList.Skip(1))}  → {result.ExitCode}\n{result.Output}\n{result.Error}");
        return result;
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}

/// <summary>How a run of the tool ended and what it printed.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
