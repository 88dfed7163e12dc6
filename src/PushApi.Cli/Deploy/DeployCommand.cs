using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using PushApi.Cli.Api;
using PushApi.Cli.Terminal;

namespace PushApi.Cli.Deploy;

/// <summary>
/// <c>pushapi deploy</c>: a mass deployment (<c>POST /api/v1/deployments</c>) to all tenants, a file of org keys or a SOQL
/// condition, now or at a time; <c>--dry-run</c> only shows the eligibility report.
/// </summary>
public static class DeployCommand
{
    private static readonly Option<string> Version = new("--version") { Description = "The version to deploy (04t…)", Required = true };
    private static readonly Option<bool> All = new("--all") { Description = "Every tenant that has (or had) the package" };
    private static readonly Option<string?> Orgs = new("--orgs") { Description = "A file of org keys, one a line (# comments and a header orgKey are skipped)" };
    private static readonly Option<string?> Where = new("--where") { Description = "A SOQL condition on PackageSubscriber, e.g. \"OrgType = 'Sandbox'\"" };
    private static readonly Option<string?> Except = new("--except") { Description = "A file of org keys to leave out (with --all or --where)" };
    private static readonly Option<string?> At = new("--at") { Description = "Start time, ISO 8601 (e.g. 2026-12-24T22:00:00Z); default now" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Only report who would be deployed to and who is left out, and why" };
    private static readonly Option<bool> NotifyTenants = new("--notify-tenants") { Description = "Mail each upgraded tenant's contact" };
    private static readonly Option<string?> InstallMode = new("--install-mode") { Description = "upgrade (default) or installOrUpgrade" };
    private static readonly Option<string?> Waves = new("--waves") { Description = "A JSON file with the waves of a staged rollout ([{name, orgKeys|where|percent, bakeTime}])" };

    public static Command Create()
    {
        var command = new Command("deploy", "Deploy a version to all tenants, a list or a SOQL condition, now or later; --dry-run shows the eligibility report")
        {
            Version, All, Orgs, Where, Except, At, DryRun, NotifyTenants, InstallMode, Waves,
        };
        InstallMode.AcceptOnlyFromAmong("upgrade", "installOrUpgrade");
        command.Validators.Add(result =>
        {
            var given = (result.GetValue(All) ? 1 : 0) + (result.GetValue(Orgs) is null ? 0 : 1) + (result.GetValue(Where) is null ? 0 : 1);
            if (given != 1)
            {
                result.AddError("Say whom to deploy to with exactly one of --all, --orgs FILE or --where CONDITION");
            }
        });
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var body = Body(parse);
        using var client = Session.Connect(parse, TimeSpan.FromMinutes(5));
        var answer = await SubmitAsync(output, client, "api/v1/deployments", body, cancellationToken);
        if (!output.Json)
        {
            output.Line(Outcome(answer, body.ScheduledStartTime));
        }

        return ExitCodes.Ok;
    }

    /// <summary>Posts a deployment (or a retry) and shows its report; nothing eligible (422) shows the report, then ends with the refusal.</summary>
    public static async Task<JsonElement> SubmitAsync(Output output, PushApiClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await client.SendAnyAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(body, options: PushApiClient.Json) }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity
            && PushApiClient.Parse(await client.ReadBodyAsync(response, cancellationToken), client.BaseUrl) is var problem
            && problem.Child("report").ValueKind == JsonValueKind.Object)
        {
            Show(output, problem);
            throw new CliException(ExitCodes.Refused, problem.Text("detail") ?? "Nothing to deploy.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await client.RefusalAsync(response, cancellationToken);
        }

        var answer = PushApiClient.Parse(await client.ReadBodyAsync(response, cancellationToken), client.BaseUrl);
        Show(output, answer);
        return answer;
    }

    /// <summary>The report in the chosen form: the server's JSON, or tables.</summary>
    public static void Show(Output output, JsonElement answer)
    {
        if (output.Json)
        {
            Output.WriteJson(answer);
        }
        else
        {
            ReportView.Show(output, answer);
        }
    }

    public static string Outcome(JsonElement answer, DateTimeOffset? at)
    {
        if (answer.Flag("dryRun"))
        {
            return "Dry run: nothing was created.";
        }

        var id = answer.Text("id");
        var when = at is { } start ? $", starting {start.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : string.Empty;
        var retry = answer.Text("retryOf") is { } original ? $" (retrying {original})" : string.Empty;
        return $"Created deployment {id}{retry} for {ReportView.N(answer.Child("report").Whole("eligible"))} tenants{when}. Follow it: pushapi watch {id}";
    }

    private static DeploymentBody Body(ParseResult parse)
    {
        DateTimeOffset? at = null;
        if (parse.GetValue(At) is { } text)
        {
            at = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed : throw new CliException(ExitCodes.Usage, $"--at '{text}' is not a time; use ISO 8601, e.g. 2026-12-24T22:00:00Z");
        }

        var targets = new DeploymentTargets(
            parse.GetValue(All) ? true : null,
            parse.GetValue(Orgs) is { } orgs ? OrgKeyFile.Read(orgs) : null,
            parse.GetValue(Where),
            parse.GetValue(Except) is { } except ? OrgKeyFile.Read(except) : null);
        var waves = parse.GetValue(Waves) is { } wavesFile ? ReadWaves(wavesFile) : (JsonElement?)null;
        return new DeploymentBody(parse.GetRequiredValue(Version), targets, at, parse.GetValue(NotifyTenants) ? true : null, parse.GetValue(DryRun) ? true : null, parse.GetValue(InstallMode), waves);
    }

    private static JsonElement ReadWaves(string file)
    {
        try
        {
            using var document = JsonDocument.Parse(string.Join('\n', LocalFiles.ReadLines(file)));
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.Clone()
                : throw new CliException(ExitCodes.Usage, $"{file} must hold a JSON array of waves, e.g. [{{\"name\": \"pilot\", \"percent\": 10}}, {{\"name\": \"rest\"}}]");
        }
        catch (JsonException e)
        {
            throw new CliException(ExitCodes.Usage, $"{file} is not JSON ({e.Message}); it must hold an array of waves.");
        }
    }

    private sealed record DeploymentTargets(bool? All, IReadOnlyList<string>? OrgKeys, string? Where, IReadOnlyList<string>? ExceptOrgKeys);

    private sealed record DeploymentBody(string PackageVersionId, DeploymentTargets Targets, DateTimeOffset? ScheduledStartTime, bool? NotifyTenants, bool? DryRun, string? InstallMode, JsonElement? Waves);
}
