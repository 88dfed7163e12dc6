using System.Diagnostics;
using System.Net;
using System.Text;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// Random and mutated statements against the query endpoint: every answer is 200 or 400, never a
/// 500, and none takes long. The seed is fixed, so a failure reproduces; statements that once failed
/// are kept in <see cref="Regressions"/>.
/// </summary>
public class SoqlFuzzTests() : ApiFixture("soqlfuzz")
{
    private static readonly string[] Seeds =
    [
        "SELECT id, name, namespaceprefix FROM MetadataPackage WHERE NamespacePrefix = 'ns' LIMIT 1",
        "SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '033000000000001AAA' AND (ReleaseState = 'Released' AND MajorVersion = 1) ORDER BY MajorVersion DESC, PatchVersion, BuildNumber DESC LIMIT 1",
        "SELECT Id, MetadataPackageVersionId, InstalledStatus, InstanceName, OrgName, OrgKey, OrgStatus, OrgType from PackageSubscriber WHERE (OrgStatus != 'Inactive' AND InstalledStatus = 'i' AND (OrgType = 'Sandbox') AND MetadataPackageVersionId NOT IN ('04t000000000001AAA','04t000000000002AAA'))",
        "SELECT ID, SubscriberOrganizationKey, (SELECT ErrorDetails, ErrorMessage, ErrorSeverity, ErrorTitle, ErrorType FROM PackagePushErrors) FROM PackagePushJob WHERE PackagePushRequestId = '0DV000000000001GAA' AND Status !='Succeeded'",
        "SELECT Id, PackageVersionId, PackageVersion.Name, PackageVersion.MajorVersion, Status, ScheduledStartTime, StartTime, EndTime, IsMigration FROM PackagePushRequest WHERE PackageVersion.MetadataPackageId = '033000000000001AAA' AND Status = 'Pending' AND ScheduledStartTime >= 2025-06-01T10:20:30.123Z AND IsMigration = true",
        "SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '0DV000000000001GAA' AND Status = 'Failed' ",
        "SELECT ErrorMessage FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId='0DV000000000001GAA'",
        "SELECT OrgKey FROM PackageSubscriber WHERE OrgName LIKE 'Acme\\_%' AND SystemModstamp > LAST_N_DAYS:30 ORDER BY OrgName NULLS LAST LIMIT 10 OFFSET 2",
        "SELECT Status, COUNT(Id), COUNT_DISTINCT(SubscriberOrganizationKey) orgs FROM PackagePushJob WHERE PackagePushRequestId = '0DV000000000001GAA' GROUP BY Status HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC LIMIT 5",
        "SELECT CALENDAR_YEAR(ScheduledStartTime) y, DAY_ONLY(ScheduledStartTime), MIN(DurationSeconds), SUM(DurationSeconds), AVG(DurationSeconds) FROM PackagePushRequest GROUP BY CALENDAR_YEAR(ScheduledStartTime), DAY_ONLY(ScheduledStartTime)",
        "SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob WHERE Status = 'Failed') AND PackageVersionId NOT IN (SELECT MetadataPackageVersionId FROM PackageSubscriber)",
        "SELECT FIELDS(ALL) FROM PackagePushJob WHERE DAY_ONLY(SystemModstamp) = 2025-01-01 LIMIT 200",
        "SELECT Id, CreatedBy.Username, LastModifiedById FROM PackagePushJob WHERE LastModifiedDate > 2025-01-01T00:00:00Z AND CreatedById != null ORDER BY CreatedDate DESC LIMIT 5",
        "SELECT CreatedById, COUNT(Id) FROM PackagePushRequest WHERE CALENDAR_YEAR(CreatedDate) = 2026 GROUP BY CreatedById",
    ];

    private static readonly string[] Tokens =
    [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "OFFSET",
        "COUNT()", "COUNT(Id)", "MIN(Name)", "(", ")", ",", ".", "=", "!=", "<>", "<", ">=", "'x'", "''", "'\\''", "null", "true", "42", "-1.5",
        "2025-01-01", "2025-01-01T00:00:00Z", "TODAY", "LAST_N_DAYS:3", "Id", "Name", "Status", "PackageVersion", "PackagePushJob", "PackageSubscriber",
        "MetadataPackage", "PackagePushErrors", "GROUP", "BY", "HAVING", "COUNT_DISTINCT(Status)", "SUM(DurationSeconds)", "AVG(Id)", "FIELDS(ALL)", "FIELDS(STANDARD)",
        "FIELDS(", "CALENDAR_YEAR(ScheduledStartTime)", "DAY_ONLY(SystemModstamp)", "CALENDAR_YEAR(", "DAY_ONLY(", "(SELECT", "(SELECT Id FROM PackagePushJob)", "IN (SELECT PackagePushRequestId FROM PackagePushJob",
        "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "CreatedBy.Username", "LastModifiedBy",
        "ROLLUP(", "TYPEOF", "\"", ";", "--", "/*", "\\", "ÿ", "𝄞", "%", "_", "*", "$1", "::text", "\u0000",
    ];

    private static readonly string[] Regressions =
    [
        "SELECT Id FROM PackagePushJob WHERE NOT NOT NOT Status = 'x'",
        "SELECT Id FROM MetadataPackage WHERE Name IN (null)",
        "SELECT COUNT() FROM PackagePushJob LIMIT 0",
        "SELECT Id FROM PackagePushRequest WHERE Id IN ('0DV000000000001', 'not-an-id')",
        "SELECT MIN(IsMigration) FROM PackagePushRequest",
        "SELECT Status FROM PackagePushJob GROUP BY Status HAVING SUM(DurationSeconds) > 1.5",
        "SELECT Status, MAX(SubscriberOrganizationKey) FROM PackagePushJob GROUP BY Status HAVING MAX(SubscriberOrganizationKey) > 'x'",
        "SELECT Status, COUNT(Id) FROM PackagePushJob GROUP BY Status ORDER BY Status, COUNT(Id) NULLS LAST OFFSET 1",
        "SELECT DAY_ONLY(SystemModstamp) FROM PackagePushJob GROUP BY DAY_ONLY(SystemModstamp) HAVING DAY_ONLY(SystemModstamp) = 2025-01-01",
        "SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob WHERE Status IN ('Failed', null))",
        "SELECT Id FROM PackageSubscriber WHERE CALENDAR_YEAR(SystemModstamp) IN (2025, null) AND DAY_ONLY(SystemModstamp) != null",
    ];

    [Test]
    public async Task Random_and_mutated_statements_get_200_or_400_quickly()
    {
        var random = new Random(20261121);
        var statements = new List<string>(Regressions);
        for (var i = 0; i < 600; i++)
        {
            statements.Add(Mutate(Seeds[random.Next(Seeds.Length)], random));
        }

        for (var i = 0; i < 300; i++)
        {
            statements.Add(string.Join(" ", Enumerable.Range(0, random.Next(1, 25)).Select(_ => Tokens[random.Next(Tokens.Length)])));
        }

        statements.Add("SELECT Id FROM PackageSubscriber WHERE " + new string('(', 3000) + "OrgKey = 'x'" + new string(')', 3000));
        statements.Add("SELECT Id FROM PackageSubscriber WHERE OrgKey IN (" + string.Join(",", Enumerable.Range(0, 9000).Select(i => $"'00D{i:D12}'")) + ")");
        statements.Add("SELECT Id FROM PackageSubscriber WHERE OrgName = '" + new string('y', 60_000) + "'");

        var failures = new List<string>();
        foreach (var soql in statements)
        {
            var stopwatch = Stopwatch.StartNew();
            using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["q"] = soql });
            var url = "/services/data/v62.0/query?" + await content.ReadAsStringAsync();
            using var response = await Admin.GetAsync(url);
            stopwatch.Stop();
            var tooLong = response.StatusCode == HttpStatusCode.RequestUriTooLong && url.Length > PushApi.Server.Hosting.HostingExtensions.MaxRequestLineBytes;
            if ((response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.BadRequest) && !tooLong) || stopwatch.Elapsed > TimeSpan.FromSeconds(5))
            {
                failures.Add($"{(int)response.StatusCode} after {stopwatch.ElapsedMilliseconds} ms: {Shorten(soql)} => {Shorten(await response.Content.ReadAsStringAsync())}");
            }
            else if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(body, Does.StartWith("[{\"message\":"), soql);
            }
        }

        Assert.That(failures, Is.Empty);
        TestContext.Out.WriteLine($"{statements.Count} statements, none answered 5xx or slowly.");
    }

    private static string Mutate(string seed, Random random)
    {
        var parts = seed.Split(' ').ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(parts.Count);
            switch (random.Next(6))
            {
                case 0:
                    parts.RemoveAt(at);
                    break;
                case 1:
                    parts.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2:
                    parts[at] = Tokens[random.Next(Tokens.Length)];
                    break;
                case 3:
                    parts.Insert(at, parts[random.Next(parts.Count)]);
                    break;
                case 4 when parts[at].Length > 1:
                    parts[at] = parts[at][..random.Next(1, parts[at].Length)];
                    break;
                default:
                    var builder = new StringBuilder(parts[at]);
                    builder.Insert(random.Next(builder.Length + 1), (char)random.Next(32, 0x2FF));
                    parts[at] = builder.ToString();
                    break;
            }

            if (parts.Count == 0)
            {
                parts.Add("SELECT");
            }
        }

        return string.Join(" ", parts);
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
