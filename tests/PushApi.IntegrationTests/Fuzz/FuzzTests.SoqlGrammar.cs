using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace PushApi.IntegrationTests.Fuzz;

/// <summary>
/// The SOQL fuzz over issue 17's grammar (<see cref="SoqlGrammar"/>): each statement goes through REST
/// <c>/query</c>, a Bulk 2.0 query job (create, poll, first results page) and SOAP <c>query</c>, and each answer is judged
/// by <see cref="FuzzOracle"/> and by the error shape its front end promises (<see cref="SoqlAnswers"/>); REST and SOAP
/// must also agree on whether the statement is good and, if not, on the error code.
/// </summary>
public partial class FuzzTests
{
    private const int MaxRestUrl = 7000;

    [Test]
    public async Task Generated_statements_of_the_aggregate_join_FIELDS_and_date_grammar_get_the_front_ends_own_answers()
    {
        var seed = Setting("PUSHAPI_FUZZ_SEED", DefaultSeed);
        var count = Setting("PUSHAPI_SOQL_FUZZ_STATEMENTS", 3000);
        var budget = TimeSpan.FromSeconds(Setting("PUSHAPI_SOQL_FUZZ_SECONDS", 45));
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var good = 0;
        for (; sent < count && clock.Elapsed < budget; sent++)
        {
            var grammar = new SoqlGrammar(new Random(unchecked((seed * 1_000_003) + sent)));
            var soql = grammar.Next();
            var (verdicts, accepted) = await SendSoqlEverywhereAsync(soql);
            good += accepted ? 1 : 0;
            foreach (var verdict in verdicts)
            {
                failures.Add($"#{sent} (replay: PUSHAPI_FUZZ_SEED={seed}, statement index {sent}, mutation: {grammar.Mutation}) {verdict}\n    SOQL: {SoqlAnswers.Printable(soql)}");
            }
        }

        TestContext.Out.WriteLine($"SOQL grammar fuzz: seed {seed}, {sent} statements ({good} accepted by REST) in {clock.Elapsed.TotalSeconds:F1} s, {failures.Count} failures.");
        Assert.That(failures, Is.Empty, "Failures (fix at the root, then add each to FuzzRegressions):\n" + string.Join("\n", failures.Take(30)));
    }

    /// <summary>The statement through REST, SOAP and Bulk 2.0: what was wrong with any answer, and whether REST accepted it.</summary>
    private async Task<(List<string> Verdicts, bool Accepted)> SendSoqlEverywhereAsync(string soql)
    {
        var verdicts = new List<string>();
        var restUrl = "/services/data/v62.0/query?q=" + Uri.EscapeDataString(soql);
        string? restCode = null;
        var restAnswered = restUrl.Length <= MaxRestUrl;
        if (restAnswered)
        {
            var rest = await SendSoqlAsync(FuzzRequest.Text("GET", restUrl, "", "application/json") with { Label = "soql grammar rest" });
            Add(verdicts, "REST", rest.Verdict ?? SoqlAnswers.JudgeRest(rest.Status, rest.Body, out restCode));
        }

        var envelope = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
            <soapenv:Header><urn:SessionHeader><urn:sessionId>{_token}</urn:sessionId></urn:SessionHeader></soapenv:Header>
            <soapenv:Body><urn:query><urn:queryString>{SoqlAnswers.Xml(soql)}</urn:queryString></urn:query></soapenv:Body></soapenv:Envelope>
            """;
        var soap = await SendSoqlAsync(FuzzRequest.Text("POST", "/services/Soap/u/62.0", envelope, "text/xml; charset=utf-8") with { Headers = new Dictionary<string, string> { ["SOAPAction"] = "\"\"" }, Label = "soql grammar soap" });
        string? soapCode = null;
        // XML cannot carry a NUL: the envelope sends it as &#0;, which any fault may refuse.
        var hasNul = soql.Contains('\0', StringComparison.Ordinal);
        Add(verdicts, "SOAP", soap.Verdict ?? SoqlAnswers.JudgeSoap(soap.Status, soap.Body, out soapCode, anyFault: hasNul));
        if (restAnswered && !hasNul && verdicts.Count == 0 && restCode != soapCode)
        {
            verdicts.Add($"REST and SOAP disagree: REST {restCode ?? "accepted it"}, SOAP {soapCode ?? "accepted it"}");
        }

        await SendBulkQueryAsync(soql, verdicts);
        return (verdicts, restAnswered && restCode is null);
    }

    /// <summary>Create a Bulk 2.0 query job; when created, poll it once and read its first page.</summary>
    private async Task SendBulkQueryAsync(string soql, List<string> verdicts)
    {
        var body = JsonSerializer.Serialize(new { operation = "query", query = soql });
        var created = await SendSoqlAsync(FuzzRequest.Text("POST", "/services/data/v62.0/jobs/query", body, "application/json") with { Label = "soql grammar bulk2" });
        string? code = null;
        Add(verdicts, "Bulk 2.0 create", created.Verdict ?? SoqlAnswers.JudgeRest(created.Status, created.Body, out code, jobCreated: true, also: "INVALIDJOB"));
        if (created.Verdict is not null || code is not null || (int)created.Status != 200)
        {
            return;
        }

        var id = JsonDocument.Parse(created.Body).RootElement.GetProperty("id").GetString();
        var poll = await SendSoqlAsync(new FuzzRequest("GET", $"/services/data/v62.0/jobs/query/{id}", []) { Label = "soql grammar bulk2 poll" });
        Add(verdicts, "Bulk 2.0 poll", poll.Verdict ?? SoqlAnswers.JudgeRest(poll.Status, poll.Body, out _, jobCreated: true));
        var results = await SendSoqlAsync(new FuzzRequest("GET", $"/services/data/v62.0/jobs/query/{id}/results?maxRecords=5", []) { Label = "soql grammar bulk2 results" });
        Add(verdicts, "Bulk 2.0 results", results.Verdict ?? SoqlAnswers.JudgeBulkResults(results.Status, results.MediaType, results.Body));
    }

    private static void Add(List<string> verdicts, string frontEnd, string? verdict)
    {
        if (verdict is not null)
        {
            verdicts.Add($"{frontEnd}: {verdict}");
        }
    }

    private async Task<(System.Net.HttpStatusCode Status, string? MediaType, string Body, string? Verdict)> SendSoqlAsync(FuzzRequest request)
    {
        using var client = Server.Anonymous();
        client.Timeout = TimeSpan.FromSeconds(30);
        using var message = request.ToMessage();
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        try
        {
            using var response = await client.SendAsync(message);
            var body = await response.Content.ReadAsStringAsync();
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var verdict = FuzzOracle.Judge(response.StatusCode, response.Headers.RetryAfter is not null, mediaType, body);
            return (response.StatusCode, mediaType, body, verdict is null ? null : $"{verdict}: {(int)response.StatusCode} {SoqlAnswers.Printable(body[..Math.Min(body.Length, 400)])}");
        }
        catch (TaskCanceledException)
        {
            return (0, null, "", "no answer within 30 s");
        }
    }
}

/// <summary>The answer shapes of the three query front ends: REST error arrays, SOAP faults, Bulk 2.0 CSV pages.</summary>
public static class SoqlAnswers
{
    /// <summary>The error codes a query may be refused with, on every front end.</summary>
    public static readonly string[] QueryErrorCodes = ["MALFORMED_QUERY", "INVALID_FIELD", "INVALID_TYPE", "INVALID_QUERY_FILTER_OPERATOR", "INVALID_QUERY_LOCATOR"];

    /// <summary>200 with a JSON object (a job: with its id), or 400 with <c>[{"message","errorCode"}]</c> of a query error code (then in <paramref name="code"/>).</summary>
    public static string? JudgeRest(System.Net.HttpStatusCode status, string body, out string? code, bool jobCreated = false, string? also = null)
    {
        code = null;
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return $"{(int)status} with a body that is not JSON: {Printable(body[..Math.Min(body.Length, 200)])}";
        }

        if ((int)status == 200)
        {
            var shaped = root.ValueKind == JsonValueKind.Object && (jobCreated ? root.TryGetProperty("id", out _) : root.TryGetProperty("records", out var r) && r.ValueKind == JsonValueKind.Array);
            return shaped ? null : $"200 without {(jobCreated ? "a job id" : "records")}: {Printable(body[..Math.Min(body.Length, 200)])}";
        }

        var first = root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 ? root[0] : default;
        var shapeOk = (int)status == 400 && first.ValueKind == JsonValueKind.Object
            && first.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
            && first.TryGetProperty("errorCode", out var errorCode) && (QueryErrorCodes.Contains(errorCode.GetString()) || (also is not null && errorCode.GetString() == also));
        code = shapeOk ? first.GetProperty("errorCode").GetString() : null;
        return shapeOk ? null : $"not a 400 [{{message, errorCode}}] of a query error code: {(int)status} {Printable(body[..Math.Min(body.Length, 300)])}";
    }

    /// <summary>200 with a queryResponse, or 500 with a fault <c>sf:CODE</c> of a query error code (then in <paramref name="code"/>).</summary>
    public static string? JudgeSoap(System.Net.HttpStatusCode status, string body, out string? code, bool anyFault = false)
    {
        code = null;
        if ((int)status == 200 && body.Contains("queryResponse", StringComparison.Ordinal))
        {
            return null;
        }

        var match = System.Text.RegularExpressions.Regex.Match(body, "<faultcode>(?:sf|soapenv):([A-Za-z_]+)</faultcode>");
        if ((int)status == 500 && match.Success && (anyFault || QueryErrorCodes.Contains(match.Groups[1].Value)))
        {
            code = match.Groups[1].Value;
            return null;
        }

        return $"neither a queryResponse nor a query fault: {(int)status} {Printable(body[..Math.Min(body.Length, 300)])}";
    }

    /// <summary>A results page is CSV (200), or a REST error array.</summary>
    public static string? JudgeBulkResults(System.Net.HttpStatusCode status, string? mediaType, string body) =>
        (int)status == 200 ? (mediaType == "text/csv" ? null : $"200 results as {mediaType}") : JudgeRest(status, body, out _);

    public static string Xml(string text) => (System.Security.SecurityElement.Escape(text) ?? "").Replace("\0", "&#0;", StringComparison.Ordinal);

    /// <summary>The text with NUL and line breaks visible, cut at 2,000 characters.</summary>
    public static string Printable(string text)
    {
        var shown = new StringBuilder(text.Length > 2000 ? text[..2000] + "…" : text);
        return shown.Replace("\0", "\\0").Replace("\n", "\\n").Replace("\r", "\\r").ToString();
    }
}
