using System.CommandLine;
using PushApi.Cli.Api;
using PushApi.Cli.Terminal;
using Spectre.Console;

namespace PushApi.Cli.Watch;

/// <summary>
/// <c>pushapi watch ID</c>: follows a deployment until it ends — a live bar with throughput and expected end on a terminal,
/// a line per change elsewhere, JSON lines with <c>--json</c> — and exits 1 unless every job succeeded.
/// </summary>
public static class WatchCommand
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    /// <summary>How long a server that stopped answering (restarting, 503) is waited for before the watch gives up.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly Argument<string> Id = new("ID") { Description = "The deployment (0DV…)" };
    private static readonly Option<double> Interval = new("--interval") { Description = "Seconds between readings (default 2)", DefaultValueFactory = _ => 2 };

    public static Command Create()
    {
        var command = new Command("watch", "Follow a deployment to its end; exit code 1 when jobs failed or it was canceled or halted") { Id, Interval };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var id = parse.GetRequiredValue(Id);
        var seconds = parse.GetValue(Interval);
        var interval = seconds is >= 0.1 and <= 3600 ? TimeSpan.FromSeconds(seconds) : throw new CliException(ExitCodes.Usage, "--interval must be between 0.1 and 3600 seconds.");
        using var client = Session.Connect(parse);
        var path = $"api/v1/deployments/{Uri.EscapeDataString(id)}";
        var answered = false;
        async Task<DeploymentState> ReadAsync()
        {
            // Once the server has answered, a restart or a busy moment (503) is waited out rather than ending the watch.
            var giveUpAt = TimeProvider.System.GetUtcNow() + Patience;
            while (true)
            {
                try
                {
                    var state = DeploymentState.From(await client.GetJsonAsync(path, cancellationToken));
                    answered = true;
                    return state;
                }
                catch (CliException e) when (answered && e.ExitCode is ExitCodes.Unreachable or ExitCodes.ServerError && TimeProvider.System.GetUtcNow() < giveUpAt)
                {
                    await Task.Delay(interval, cancellationToken);
                }
            }
        }


        var final = output.Interactive
            ? await LiveAsync(output, ReadAsync, interval, cancellationToken)
            : await LinesAsync(output, ReadAsync, interval, cancellationToken);
        if (!output.Json)
        {
            output.Line(final.Summary);
        }

        return final.Clean ? ExitCodes.Ok : ExitCodes.NotAllSucceeded;
    }

    /// <summary>A live panel: a bar of succeeded, failed, canceled and remaining jobs, throughput and expected end.</summary>
    private static async Task<DeploymentState> LiveAsync(Output output, Func<Task<DeploymentState>> read, TimeSpan interval, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var state = await read();
        await output.Console.Live(LiveView.Render(state, TimeSpan.Zero))
            .AutoClear(false)
            .StartAsync(async live =>
            {
                while (!state.Ended)
                {
                    await Task.Delay(interval, cancellationToken);
                    state = await read();
                    live.UpdateTarget(LiveView.Render(state, TimeProvider.System.GetElapsedTime(started)));
                }
            });
        return state;
    }

    /// <summary>A line when something changed (and every 10 s regardless); JSON lines with --json.</summary>
    private static async Task<DeploymentState> LinesAsync(Output output, Func<Task<DeploymentState>> read, TimeSpan interval, CancellationToken cancellationToken)
    {
        var clock = TimeProvider.System;
        string? lastKey = null;
        var lastLine = DateTimeOffset.MinValue;
        while (true)
        {
            var state = await read();
            if (state.Key != lastKey || clock.GetUtcNow() - lastLine >= Heartbeat || state.Ended)
            {
                if (output.Json)
                {
                    Output.WriteJsonLine(state.Raw);
                }
                else
                {
                    output.Line($"{clock.GetUtcNow().UtcDateTime:HH:mm:ss} {state.Line}");
                }

                lastKey = state.Key;
                lastLine = clock.GetUtcNow();
            }

            if (state.Ended)
            {
                return state;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }
}
