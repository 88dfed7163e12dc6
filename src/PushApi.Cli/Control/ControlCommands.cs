using System.CommandLine;
using System.Text.Json;
using PushApi.Cli.Api;
using PushApi.Cli.Deploy;
using PushApi.Cli.Terminal;

namespace PushApi.Cli.Control;

/// <summary>
/// <c>pushapi cancel|halt|retry ID</c>: cancel a deployment that has not started, halt a running one (running jobs finish,
/// the rest are canceled or its later waves held), or deploy again to its failed tenants that are still eligible.
/// </summary>
public static class ControlCommands
{
    private static readonly Argument<string> Id = new("ID") { Description = "The deployment (0DV…)" };
    private static readonly Option<string[]> ErrorTypes = new("--error-type") { Description = "Retry only tenants that failed with this error type (repeatable)" };
    private static readonly Option<string[]> ExcludeTitles = new("--exclude-title") { Description = "Leave out tenants whose error title (or type) is this, e.g. \"Package Uninstalled\" (repeatable)" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Only report who would be retried" };

    public static IEnumerable<Command> Create()
    {
        var cancel = new Command("cancel", "Cancel a deployment that has not started (Created, Pending, awaiting approval, or between waves)") { Id };
        cancel.SetAction((parse, cancellationToken) => ChangeAsync(parse, "cancel", cancellationToken));
        var halt = new Command("halt", "Halt a running deployment: running jobs finish, the others are canceled (a rollout's later waves are held)") { Id };
        halt.SetAction((parse, cancellationToken) => ChangeAsync(parse, "halt", cancellationToken));
        var retry = new Command("retry", "Deploy the same version again to the failed tenants that are still eligible") { Id, ErrorTypes, ExcludeTitles, DryRun };
        retry.SetAction(RetryAsync);
        return [cancel, halt, retry];
    }

    private static async Task<int> ChangeAsync(ParseResult parse, string action, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var id = parse.GetRequiredValue(Id);
        using var client = Session.Connect(parse);
        var deployment = await client.PostJsonAsync($"api/v1/deployments/{Uri.EscapeDataString(id)}/{action}", null, cancellationToken);
        if (output.Json)
        {
            Output.WriteJson(deployment);
        }
        else
        {
            output.Line(Describe(action, deployment));
        }

        return ExitCodes.Ok;
    }

    private static string Describe(string action, JsonElement deployment)
    {
        var jobs = deployment.Child("jobs");
        var counts = $"{ReportView.N(jobs.Whole("canceled"))} of {ReportView.N(jobs.Whole("total"))} jobs canceled";
        return action == "cancel"
            ? $"Canceled deployment {deployment.Text("id")} ({deployment.Text("status")}); {counts}."
            : $"Halted deployment {deployment.Text("id")} ({deployment.Text("status")}): jobs already running finish, the rest are canceled; {counts} so far. Follow it: pushapi watch {deployment.Text("id")}";
    }

    private static async Task<int> RetryAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var id = parse.GetRequiredValue(Id);
        var body = new
        {
            errorTypes = parse.GetValue(ErrorTypes) is { Length: > 0 } types ? types : null,
            excludeTitles = parse.GetValue(ExcludeTitles) is { Length: > 0 } titles ? titles : null,
            dryRun = parse.GetValue(DryRun) ? true : (bool?)null,
        };
        using var client = Session.Connect(parse, TimeSpan.FromMinutes(5));
        var answer = await DeployCommand.SubmitAsync(output, client, $"api/v1/deployments/{Uri.EscapeDataString(id)}/retry", body, cancellationToken);
        if (!output.Json)
        {
            output.Line(DeployCommand.Outcome(answer, at: null));
        }

        return ExitCodes.Ok;
    }
}
