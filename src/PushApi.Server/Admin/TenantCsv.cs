using System.Globalization;
using CsvHelper;
using PushApi.Core.Errors;
using PushApi.Core.Governance.Windows;
using PushApi.Core.Tenants;

namespace PushApi.Server.Admin;

/// <summary>
/// Reads a tenant import CSV: a header row naming any of orgKey, orgName, orgType, orgStatus,
/// instanceName, parentOrg, contactEmail, agentUrl, agentUsername, agentPassword, packageVersionId, hasRestrictionEnabled,
/// windowTimeZone, windowDays, windowStart, windowEnd (any case), then a row per tenant. Empty cells are absent values.
/// A maintenance window takes the four window columns: an IANA zone, the days separated by spaces, semicolons or
/// <c>|</c> (empty: every day), and <c>HH:mm</c> times; a row with none of them leaves the window as it is.
/// </summary>
public static class TenantCsv
{
    private static readonly string[] Columns =
        ["orgKey", "orgName", "orgType", "orgStatus", "instanceName", "parentOrg", "contactEmail", "agentUrl", "agentUsername", "agentPassword", "packageVersionId", "hasRestrictionEnabled",
         "windowTimeZone", "windowDays", "windowStart", "windowEnd"];

    public static async Task<List<TenantInput>> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        var options = new CsvReaderOptions
        {
            Separator = ',',
            TrimWhitespace = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            MaxRecordSize = 1024 * 1024,
        };
        var rows = new List<TenantInput>();
        try
        {
            await using var csv = CsvReader.Create(body, options, leaveOpen: true);
            await csv.ReadHeaderAsync(cancellationToken);
            var header = csv.Headers;
            if (header.Count == 0)
            {
                throw new InputException("", "The CSV is empty; it needs a header row and a row per tenant.");
            }

            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                var column = Columns.FirstOrDefault(c => string.Equals(c, header[i].Trim(), StringComparison.OrdinalIgnoreCase))
                    ?? throw new InputException("", $"Unknown CSV column '{header[i]}'; the columns are {string.Join(", ", Columns)}.");
                index[column] = i;
            }

            while (await csv.ReadAsync(cancellationToken))
            {
                if (rows.Count >= TenantImporter.MaxRows)
                {
                    throw new InputException("", $"An import holds at most {TenantImporter.MaxRows:N0} rows.");
                }

                string? Cell(string column) => index.TryGetValue(column, out var i) && i < csv.FieldCount && csv.GetStringOrNull(i) is { Length: > 0 } value ? value : null;
                var agentUrl = Cell("agentUrl");
                var agentUsername = Cell("agentUsername");
                var agentPassword = Cell("agentPassword");
                rows.Add(new TenantInput
                {
                    OrgKey = Cell("orgKey"),
                    OrgName = Cell("orgName"),
                    OrgType = Cell("orgType"),
                    OrgStatus = Cell("orgStatus"),
                    InstanceName = Cell("instanceName"),
                    ParentOrg = Cell("parentOrg"),
                    ContactEmail = Cell("contactEmail"),
                    Agent = agentUrl is null && agentUsername is null && agentPassword is null ? null : new AgentInput(agentUrl, agentUsername, agentPassword),
                    PackageVersionId = Cell("packageVersionId"),
                    MaintenanceWindow = Window(Cell("windowTimeZone"), Cell("windowDays"), Cell("windowStart"), Cell("windowEnd")),
                    HasRestrictionEnabled = Cell("hasRestrictionEnabled") switch
                    {
                        null => null,
                        var flag when flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1" => true,
                        var flag when flag.Equals("false", StringComparison.OrdinalIgnoreCase) || flag == "0" => false,
                        var flag => throw new InputException("hasRestrictionEnabled", $"Record {rows.Count + 1}: hasRestrictionEnabled must be true or false, not '{flag}'."),
                    },
                });
            }
        }
        catch (CsvFormatException e)
        {
            throw new InputException("", $"The CSV could not be read at record {e.RecordNumber}: {e.Message}");
        }

        return rows;
    }

    private static MaintenanceWindowInput? Window(string? timeZone, string? days, string? start, string? end) =>
        timeZone is null && days is null && start is null && end is null
            ? null
            : new MaintenanceWindowInput(timeZone, days?.Split([' ', ';', '|', ','], StringSplitOptions.RemoveEmptyEntries), start, end);
}
