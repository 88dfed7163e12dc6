using System.CommandLine;
using System.Text.Json;
using PushApi.Cli.Api;
using PushApi.Cli.Deploy;
using PushApi.Cli.Terminal;
using Spectre.Console;

namespace PushApi.Cli.Failures;

/// <summary><c>pushapi failures ID</c>: a deployment's failed tenants with their first error, grouped by type and title; <c>--csv</c> for a spreadsheet.</summary>
public static class FailuresCommand
{
    private const int Shown = 50;

    private static readonly string[] Columns = ["orgKey", "orgName", "errorType", "errorTitle", "errorMessage"];

    private static readonly Argument<string> Id = new("ID") { Description = "The deployment (0DV…)" };
    private static readonly Option<bool> Csv = new("--csv") { Description = "Print the server's CSV (OrgKey,OrgName,OrgType,Status,ErrorType,ErrorTitle,ErrorMessage,ErrorDetails)" };
    private static readonly Option<string?> OutputFile = new("--output", "-o") { Description = "Write to this file instead of standard output" };

    public static Command Create()
    {
        var command = new Command("failures", "A deployment's failed tenants and their errors, as tables, JSON (--json) or CSV (--csv)") { Id, Csv, OutputFile };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var id = Uri.EscapeDataString(parse.GetRequiredValue(Id));
        using var client = Session.Connect(parse, TimeSpan.FromMinutes(5));
        if (parse.GetValue(Csv))
        {
            using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/deployments/{id}/failures?format=csv"), cancellationToken);
            await using var csv = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (parse.GetValue(OutputFile) is { } file)
            {
                await using var target = LocalFiles.Create(file);
                await csv.CopyToAsync(target, cancellationToken);
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await csv.CopyToAsync(stdout, cancellationToken);
            }

            return ExitCodes.Ok;
        }

        var (first, failures) = await ReadAllAsync(client, id, cancellationToken);
        if (output.Json)
        {
            Output.WriteJson(new { total = first.Whole("total"), groups = first.Child("groups"), failures });
        }
        else
        {
            Show(output, first, failures);
        }

        return ExitCodes.Ok;
    }

    /// <summary>Every page of failures (the first carries the groups).</summary>
    private static async Task<(JsonElement First, List<JsonElement> Failures)> ReadAllAsync(PushApiClient client, string id, CancellationToken cancellationToken)
    {
        var first = await client.GetJsonAsync($"api/v1/deployments/{id}/failures?limit=5000", cancellationToken);
        var failures = first.Items("failures").ToList();
        for (var page = first; page.Text("next") is { } next;)
        {
            page = await client.GetJsonAsync($"api/v1/deployments/{id}/failures?limit=5000&after={Uri.EscapeDataString(next)}", cancellationToken);
            failures.AddRange(page.Items("failures"));
        }

        return (first, failures);
    }

    private static void Show(Output output, JsonElement first, List<JsonElement> failures)
    {
        if (failures.Count == 0)
        {
            output.Line("No failed tenants.");
            return;
        }

        var groups = new Table().Title("Failures by error").AddColumns("Type", "Title").AddColumn(new TableColumn("Tenants").RightAligned());
        foreach (var group in first.Items("groups"))
        {
            groups.AddRow(Markup.Escape(group.Text("errorType") ?? "-"), Markup.Escape(group.Text("errorTitle") ?? "-"), ReportView.N(group.Whole("count")));
        }

        output.Write(groups);
        var table = new Table().Title("Failed tenants").AddColumns("Org key", "Org name", "Type", "Title", "Message");
        foreach (var failure in failures.Take(Shown))
        {
            table.AddRow(Columns.Select(p => Markup.Escape(failure.Text(p) ?? "")).ToArray());
        }

        output.Write(table);
        output.Line(failures.Count > Shown
            ? $"{ReportView.N(failures.Count)} failed tenants; the first {Shown} are shown (--csv or --json for all)."
            : $"{ReportView.N(failures.Count)} failed tenants.");
    }
}
