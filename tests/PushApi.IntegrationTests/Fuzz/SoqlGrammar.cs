namespace PushApi.IntegrationTests.Fuzz;

/// <summary>
/// SOQL statements over the grammar issue 17 added — GROUP BY / HAVING with COUNT, COUNT_DISTINCT, SUM, MIN, MAX and AVG,
/// semi- and anti-joins (<c>IN (SELECT …)</c>, <c>NOT IN</c>), <c>FIELDS(ALL|STANDARD|CUSTOM)</c>, date functions and date
/// literals — written from the catalog's real fields so most are well-formed, and about half of them then mutated:
/// truncated, tokens swapped or dropped, literals of the wrong type, NUL, huge numbers, deep nesting, unknown or
/// unsupported functions. One <see cref="Random"/> per statement, so a statement replays alone.
/// </summary>
public sealed class SoqlGrammar(Random random)
{
    /// <summary>An object's fields by what a statement can do with them (times and numbers: filterable ones).</summary>
    private sealed record Shape(string Name, string[] Groupable, string[] Numbers, string[] Times, (string Key, string SubQuery)[] Joins, (string Field, string[] Values)[] Picklists);

    private static readonly Shape[] Shapes =
    [
        new("PackagePushJob", ["Status", "PackagePushRequestId", "SubscriberOrganizationKey", "CreatedById", "PackagePushRequest.Status"], ["DurationSeconds"],
            ["SystemModstamp", "CreatedDate", "LastModifiedDate"],
            [("Id", "SELECT PackagePushJobId FROM PackagePushError"), ("PackagePushRequestId", "SELECT Id FROM PackagePushRequest WHERE Status = 'Created'")],
            [("Status", ["Created", "Pending", "In Progress", "Succeeded", "Failed", "Canceled"])]),
        new("PackagePushRequest", ["Status", "PackageVersionId", "IsMigration", "PackageVersion.Name", "PackageVersion.MetadataPackageId"], ["DurationSeconds"],
            ["ScheduledStartTime", "SystemModstamp", "CreatedDate"],
            [("Id", "SELECT PackagePushRequestId FROM PackagePushJob WHERE Status = 'Failed'"), ("PackageVersionId", "SELECT Id FROM MetadataPackageVersion WHERE ReleaseState = 'Released'")],
            [("Status", ["Created", "Pending", "Canceled"])]),
        new("PackageSubscriber", ["OrgStatus", "OrgType", "InstalledStatus", "MetadataPackageVersionId", "InstanceName", "OrgKey", "MetadataPackageVersion.Name"], [],
            ["SystemModstamp", "CreatedDate"],
            [("OrgKey", "SELECT SubscriberOrganizationKey FROM PackagePushJob"), ("MetadataPackageVersionId", "SELECT Id FROM MetadataPackageVersion WHERE IsDeprecated = false")],
            [("OrgType", ["Production", "Sandbox"]), ("OrgStatus", ["Active", "Inactive"])]),
        new("MetadataPackageVersion", ["ReleaseState", "MetadataPackageId", "MajorVersion", "MinorVersion", "Name", "MetadataPackage.Name"], ["MajorVersion", "MinorVersion", "PatchVersion", "BuildNumber"],
            ["SystemModstamp", "CreatedDate"],
            [("Id", "SELECT PackageVersionId FROM PackagePushRequest"), ("Id", "SELECT MetadataPackageVersionId FROM PackageSubscriber WHERE OrgType = 'Sandbox'")],
            [("ReleaseState", ["Beta", "Released"])]),
        new("PackagePushError", ["ErrorSeverity", "ErrorType", "PackagePushJobId"], [], ["SystemModstamp", "CreatedDate"],
            [("PackagePushJobId", "SELECT Id FROM PackagePushJob WHERE Status = 'Failed'")],
            [("ErrorSeverity", ["Error", "Warning"])]),
    ];

    private static readonly string[] DateFunctions = ["CALENDAR_YEAR", "CALENDAR_QUARTER", "CALENDAR_MONTH", "DAY_IN_MONTH", "DAY_IN_WEEK", "DAY_IN_YEAR", "HOUR_IN_DAY", "WEEK_IN_MONTH", "WEEK_IN_YEAR", "DAY_ONLY"];
    private static readonly string[] DateLiterals = ["TODAY", "YESTERDAY", "TOMORROW", "LAST_N_DAYS:3", "NEXT_N_DAYS:30", "LAST_N_DAYS:0", "2026-12-06T00:00:00Z", "2026-12-06T10:00:00+01:00", "2026-12-06T00:00:00.000Z"];

    /// <summary>Salesforce's other date literals, which PushApi refuses with MALFORMED_QUERY naming them.</summary>
    private static readonly string[] OtherDateLiterals = ["LAST_WEEK", "THIS_MONTH", "NEXT_YEAR", "LAST_90_DAYS", "NEXT_N_WEEKS:2", "LAST_N_MONTHS:12", "THIS_QUARTER", "THIS_YEAR"];
    private static readonly string[] Comparisons = ["=", "!=", "<", "<=", ">", ">="];

    /// <summary>What <see cref="Mutate"/> did, for the failure report.</summary>
    public string Mutation { get; private set; } = "none";

    /// <summary>A statement: well-formed, or (about half the time) mutated.</summary>
    public string Next()
    {
        var shape = Pick(Shapes);
        var tokens = random.Next(4) switch
        {
            0 => Aggregate(shape),
            1 => Join(shape),
            2 => Fields(shape),
            _ => Dates(shape),
        };
        if (random.Next(2) == 0)
        {
            Mutate(tokens);
        }

        return string.Join(' ', tokens);
    }

    private List<string> Aggregate(Shape shape)
    {
        var groups = Distinct(random.Next(0, 3), () => random.Next(4) == 0 ? $"{Pick(DateFunctions)}({Pick(shape.Times)})" : Pick(shape.Groupable));
        var aggregates = Distinct(random.Next(1, 4), () => AggregateCall(shape));
        if (aggregates.Count > 1 || groups.Count > 0)
        {
            // COUNT() stands alone in its SELECT list.
            aggregates = aggregates.Select(a => a == "COUNT()" ? "COUNT(Id)" : a).Distinct().ToList();
        }

        var select = groups.Concat(aggregates.Select((a, i) => random.Next(3) == 0 ? $"{a} expr{i}x" : a));
        var tokens = new List<string> { "SELECT", string.Join(", ", select), "FROM", shape.Name };
        if (random.Next(2) == 0)
        {
            tokens.AddRange(["WHERE", .. Condition(shape)]);
        }

        if (groups.Count > 0)
        {
            tokens.AddRange(["GROUP BY", string.Join(", ", groups)]);
            if (random.Next(2) == 0)
            {
                tokens.AddRange(["HAVING", AggregateCall(shape), Pick(Comparisons), random.Next(0, 5).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            if (random.Next(2) == 0)
            {
                tokens.AddRange(["ORDER BY", random.Next(2) == 0 ? groups[0] : aggregates[0], Pick(["", "ASC", "DESC", "DESC NULLS LAST"])]);
            }
        }

        return Limit(tokens);
    }

    private string AggregateCall(Shape shape) => random.Next(7) switch
    {
        0 => "COUNT()",
        1 => "COUNT(Id)",
        2 => $"COUNT_DISTINCT({Pick(shape.Groupable)})",
        3 when shape.Numbers.Length > 0 => $"{Pick(["SUM", "AVG"])}({Pick(shape.Numbers)})",
        4 => $"MIN({Pick(shape.Times)})",
        5 => $"MAX({Pick(shape.Groupable)})",
        _ => $"{Pick(["MIN", "MAX"])}({(shape.Numbers.Length > 0 ? Pick(shape.Numbers) : Pick(shape.Times))})",
    };

    private List<string> Join(Shape shape)
    {
        var (key, subQuery) = Pick(shape.Joins);
        var tokens = new List<string> { "SELECT", "Id, " + Pick(shape.Groupable), "FROM", shape.Name, "WHERE", key, random.Next(3) == 0 ? "NOT IN" : "IN", "(", subQuery, ")" };
        if (random.Next(2) == 0)
        {
            // A semi-join is not allowed beside OR.
            tokens.AddRange(["AND", .. Condition(shape)]);
        }

        if (random.Next(3) == 0)
        {
            tokens.AddRange(["ORDER BY", Pick(shape.Times), Pick(["ASC", "DESC"])]);
        }

        return Limit(tokens);
    }

    private List<string> Fields(Shape shape)
    {
        var tokens = new List<string> { "SELECT", $"FIELDS({Pick(["ALL", "STANDARD", "CUSTOM"])})" + (random.Next(3) == 0 ? ", Id" : ""), "FROM", shape.Name };
        if (random.Next(2) == 0)
        {
            tokens.AddRange(["WHERE", .. Condition(shape)]);
        }

        // FIELDS(ALL) and FIELDS(CUSTOM) need LIMIT 200 or less on Salesforce; the well-formed ones have it.
        tokens.AddRange(["LIMIT", random.Next(1, 201).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return tokens;
    }

    private List<string> Dates(Shape shape)
    {
        List<string> tokens = ["SELECT", "Id, " + Pick(shape.Times), "FROM", shape.Name, "WHERE", .. DateCondition(shape)];
        if (random.Next(2) == 0)
        {
            tokens.AddRange([Pick(["AND", "OR"]), .. DateCondition(shape)]);
        }

        return Limit(tokens);
    }

    private string[] Condition(Shape shape)
    {
        if (random.Next(3) == 0)
        {
            return DateCondition(shape);
        }

        if (shape.Picklists.Length > 0 && random.Next(2) == 0)
        {
            var (field, values) = Pick(shape.Picklists);
            return random.Next(2) == 0
                ? [field, Pick(["=", "!="]), $"'{Pick(values)}'"]
                : [field, Pick(["IN", "NOT IN"]), "(" + string.Join(", ", values.Take(random.Next(1, values.Length + 1)).Select(v => $"'{v}'")) + ")"];
        }

        return shape.Numbers.Length > 0 && shape.Name == "MetadataPackageVersion" ? [Pick(shape.Numbers), Pick(Comparisons), random.Next(-1, 100).ToString(System.Globalization.CultureInfo.InvariantCulture)] : [Pick(shape.Times), "!=", "null"];
    }

    private string[] DateCondition(Shape shape)
    {
        var field = Pick(shape.Times);
        return random.Next(3) switch
        {
            0 => [field, Pick(Comparisons), random.Next(8) == 0 ? Pick(OtherDateLiterals) : Pick(DateLiterals)],
            1 => [$"{Pick(DateFunctions.Where(f => f != "DAY_ONLY").ToArray())}({field})", Pick(Comparisons), random.Next(1, 2030).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            _ => [$"DAY_ONLY({field})", Pick(Comparisons), random.Next(6) == 0 ? Pick(["TODAY", "LAST_N_DAYS:7", "THIS_YEAR"]) : Pick(["2026-12-06", "2000-02-29", "1970-01-01"])],
        };
    }

    private List<string> Limit(List<string> tokens)
    {
        if (random.Next(3) == 0)
        {
            tokens.AddRange(["LIMIT", random.Next(0, 50).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        return tokens;
    }

    private List<string> Distinct(int count, Func<string> make) => Enumerable.Range(0, count * 3).Select(_ => make()).Distinct(StringComparer.OrdinalIgnoreCase).Take(count).ToList();

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>One damage of the statement's tokens; <see cref="Mutation"/> says which.</summary>
    private void Mutate(List<string> tokens)
    {
        var at = random.Next(tokens.Count);
        switch (random.Next(10))
        {
            case 0:
                Mutation = "truncated";
                var text = string.Join(' ', tokens);
                tokens.Clear();
                tokens.Add(text[..random.Next(text.Length)]);
                break;
            case 1 when tokens.Count > 1:
                Mutation = "swapped tokens";
                var next = Math.Min(at + 1, tokens.Count - 1);
                (tokens[at], tokens[next]) = (tokens[next], tokens[at]);
                break;
            case 2:
                Mutation = "dropped token";
                tokens.RemoveAt(at);
                break;
            case 3:
                Mutation = "wrong type";
                tokens.Insert(at, Pick(["'x'", "2026", "TODAY", "2026-12-06", "true", "null", "'2026-12-06'", "1.5", "SUM(Status)", "AVG(CreatedDate)", "DAY_ONLY(Status)", "CALENDAR_YEAR(Id)", "COUNT_DISTINCT(FIELDS(ALL))"]));
                break;
            case 4:
                Mutation = "NUL";
                tokens[at] = tokens[at].Insert(random.Next(tokens[at].Length + 1), "\0");
                break;
            case 5:
                Mutation = "huge number";
                tokens.Insert(at, Pick(["1e308", "-1e308", "99999999999999999999999999999", "9223372036854775808", "LAST_N_DAYS:99999999999", "NEXT_N_YEARS:2147483648", "LIMIT 99999999999999999999", "OFFSET 2147483648", "CALENDAR_YEAR(CreatedDate) = 1e29"]));
                break;
            case 6:
                Mutation = "deep nesting";
                var depth = random.Next(2) == 0 ? random.Next(20, 200) : random.Next(1000, 5000);
                tokens.Insert(at, random.Next(2) == 0 ? new string('(', depth) : string.Concat(Enumerable.Repeat("Id IN (SELECT Id FROM PackagePushJob WHERE ", depth / 20)) + "Id != null" + new string(')', depth / 20));
                break;
            case 7:
                Mutation = "clause twice";
                tokens.AddRange(Pick(new[] { new[] { "GROUP BY", "Status" }, ["HAVING", "COUNT(Id) > 1"], ["LIMIT", "1"], ["WHERE", "Id != null"], ["ORDER BY", "Id"] }));
                break;
            case 8:
                Mutation = "unknown or unsupported function";
                tokens.Insert(at, Pick(["FISCAL_YEAR(CreatedDate)", "CONVERTTIMEZONE(CreatedDate)", "TOLABEL(Status)", "FORMAT(CreatedDate)", "GROUPING(Status)", "NOPE(Id)", "COUNT(Id, Status)", "COUNT(*)", "MAX()", "FIELDS(NOPE)", "FIELDS()", "ROLLUP(Status)", "CUBE(Status)"]));
                break;
            default:
                Mutation = "keyword inserted";
                tokens.Insert(at, Pick(["SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "IN", "NOT", "NOT IN", "(", ")", ",", "AND", "OR", "LIMIT", "USING SCOPE", "WITH SECURITY_ENFORCED", "FOR VIEW", "TYPEOF"]));
                break;
        }
    }
}
