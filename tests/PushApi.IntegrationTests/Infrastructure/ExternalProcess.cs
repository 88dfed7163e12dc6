using System.Collections.Concurrent;
using System.Diagnostics;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// A program the tests run as users run it (node, bash, a sample script): output captured, the
/// environment given explicitly, killed with its children when disposed.
/// </summary>
public sealed class ExternalProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ExternalProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => string.Join("\n", _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ExternalProcess Start(string program, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        return new ExternalProcess(new Process { StartInfo = start });
    }

    /// <summary>Runs a program to its end (failing the test after the timeout) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        using var process = Start(program, arguments, environment, workingDirectory);
        await process.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(2));
        return (process.ExitCode, process.Output);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        if (await Task.WhenAny(_exited.Task, Task.Delay(timeout)) != _exited.Task)
        {
            Kill();
            Assert.Fail($"{_process.StartInfo.FileName} did not finish within {timeout}:\n{Output}");
        }

        // Exited fires before the last output lines are read; this wait drains them.
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits until a line of output contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime + timeout;
        while (!_output.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            Assert.That(_process.HasExited, Is.False, $"{_process.StartInfo.FileName} exited: {Output}");
            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), $"no \"{text}\" from {_process.StartInfo.FileName} after {timeout}: {Output}");
            await Task.Delay(50);
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
