using System.CommandLine;
using System.Text.Json;
using PushApi.Cli.Api;
using PushApi.Cli.Terminal;
using Spectre.Console;

namespace PushApi.Cli.Tenants;

/// <summary><c>pushapi tenants import FILE</c>: a CSV (or JSON array) of tenants through <c>POST /api/v1/tenants/import</c>, with a result per row.</summary>
public static class TenantsCommand
{
    private static readonly Argument<string> File = new("FILE") { Description = "A CSV file with a header (orgKey, orgName, orgType, orgStatus, …) or a .json array of tenants" };
    private static readonly Option<bool> AllOrNone = new("--all-or-none") { Description = "Import nothing when any row fails" };

    public static Command Create()
    {
        var import = new Command("import", "Create or update tenants from a CSV or JSON file, in one transaction, with a result per row") { File, AllOrNone };
        import.SetAction(ImportAsync);
        return new Command("tenants", "Tenants (subscriber orgs)") { import };
    }

    private static async Task<int> ImportAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var file = parse.GetRequiredValue(File);
        var mediaType = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json" : "text/csv";
        LocalFiles.MustBeReadable(file);
        using var client = Session.Connect(parse, TimeSpan.FromMinutes(10));
        var path = "api/v1/tenants/import" + (parse.GetValue(AllOrNone) ? "?allOrNone=true" : string.Empty);
        var result = await Transfers.UploadAsync(output, client, path, file, mediaType, cancellationToken);
        var failed = result.Whole("failed");
        if (output.Json)
        {
            Output.WriteJson(result);
        }
        else
        {
            Show(output, result);
        }

        return failed > 0 ? ExitCodes.NotAllSucceeded : ExitCodes.Ok;
    }

    private static void Show(Output output, JsonElement result)
    {
        var failures = result.Items("rows").Where(r => r.Text("outcome") is "Failed" or "NotImported").ToList();
        if (failures.Count > 0)
        {
            var table = new Table().AddColumns("Row", "Org key", "Outcome", "Problems");
            foreach (var row in failures.Take(50))
            {
                var problems = string.Join("; ", row.Items("errors").Select(e => $"{e.Text("field")}: {e.Text("message")}"));
                table.AddRow(row.Whole("row").ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(row.Text("orgKey") ?? ""), Markup.Escape(row.Text("outcome") ?? ""), Markup.Escape(problems));
            }

            output.Write(table);
            if (failures.Count > 50)
            {
                output.Line($"… and {failures.Count - 50} more rows that failed (--json lists them all).");
            }
        }

        var notImported = failures.Count(r => r.Text("outcome") == "NotImported");
        output.Line($"{result.Whole("total")} rows: {result.Whole("created")} created, {result.Whole("updated")} updated, {result.Whole("failed")} failed"
            + (notImported > 0 ? $", {notImported} not imported (--all-or-none)." : "."));
    }
}
