using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>composite/tree and composite/sobjects; the composite call and composite/batch are in CompositeRequestTests and CompositeBatchTests (one server for all).</summary>
public partial class CompositeTests() : ApiFixture("composite", runPushes: false)
{
    private const string Data = "/services/data/v43.0";
    private string _version = null!;
    private List<string> _orgs = null!;

    protected override async Task OnStartedAsync()
    {
        var package = (await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Composite", namespacePrefix = "comp" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var old = (await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = "1.0", majorVersion = 1, minorVersion = 0, releaseState = "Released" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        _version = (await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = "2.0", majorVersion = 2, minorVersion = 0, releaseState = "Released" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var rows = Enumerable.Range(0, 450).Select(i => new { orgName = $"Org {i}", orgType = "Production", orgStatus = "Active", packageVersionId = old }).ToList();
        var import = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        _orgs = [.. import.GetProperty("rows").EnumerateArray().Select(r => r.Text("orgKey"))];
    }

    private async Task<string> NewRequestAsync() =>
        (await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest/", new { PackageVersionId = _version }).ExpectAsync(HttpStatusCode.Created)).Text("id");

    /// <summary>CumulusCI's tree insert: the org id itself is the reference id (it starts with a digit).</summary>
    private static object Tree(string request, IEnumerable<string> orgs) => new
    {
        records = orgs.Select(o => new Dictionary<string, object>
        {
            ["attributes"] = new { type = "PackagePushJob", referenceId = o },
            ["PackagePushRequestId"] = request,
            ["SubscriberOrganizationKey"] = o,
        }),
    };

    private async Task<long> JobCountAsync(string request)
    {
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var id);
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM push_jobs WHERE request_id = $1) * 1000 + (SELECT job_count FROM push_requests WHERE id = $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        var value = (long)(await command.ExecuteScalarAsync())!;
        Assert.That(value / 1000, Is.EqualTo(value % 1000), "the request's job counter equals a recount");
        return value / 1000;
    }

    [Test]
    public async Task Clients_adding_jobs_to_one_request_at_the_same_time_all_succeed()
    {
        // Four clients, as CumulusCI users run them, each adding 200 at a time: the request row is
        // locked exclusively for each batch, so the counter updates queue instead of deadlocking.
        var request = await NewRequestAsync();
        var responses = await Task.WhenAll(_orgs.Take(400).Chunk(100).Select(async quarter =>
        {
            var statuses = new List<HttpStatusCode>();
            foreach (var batch in quarter.Chunk(25))
            {
                using var response = await Admin.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", Tree(request, batch));
                statuses.Add(response.StatusCode);
            }

            return statuses;
        }));
        Assert.That(responses.SelectMany(r => r), Has.All.EqualTo(HttpStatusCode.Created));
        Assert.That(await JobCountAsync(request), Is.EqualTo(400));
    }

    [Test]
    public async Task A_tree_of_200_jobs_is_inserted_and_answered_with_their_reference_ids()
    {
        var request = await NewRequestAsync();
        var result = await Admin.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", Tree(request, _orgs.Take(200))).ExpectAsync(HttpStatusCode.Created);
        Assert.That(result.GetProperty("hasErrors").GetBoolean(), Is.False);
        var results = result.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results.Select(r => r.Text("referenceId")), Is.EqualTo(_orgs.Take(200)));
        Assert.That(results.Select(r => r.Text("id")), Has.All.Match("^0DX[A-Za-z0-9]{15}$"));
        Assert.That(await JobCountAsync(request), Is.EqualTo(200));
    }

    [Test]
    public async Task A_tree_with_a_duplicate_and_an_ineligible_org_inserts_nothing_and_names_only_those()
    {
        var request = await NewRequestAsync();
        await Admin.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", Tree(request, _orgs.Take(1))).ExpectAsync(HttpStatusCode.Created);

        var batch = _orgs.Skip(1).Take(5).Prepend(_orgs[0]).Append("00D000000000zzz").ToList();
        var result = await Admin.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", Tree(request, batch)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(result.GetProperty("hasErrors").GetBoolean(), Is.True);
        var failures = result.GetProperty("results").EnumerateArray().ToDictionary(r => r.Text("referenceId"), r => r.GetProperty("errors")[0]);
        Assert.That(failures.Keys, Is.EquivalentTo(new[] { _orgs[0], "00D000000000zzz" }));
        Assert.That(failures[_orgs[0]].Text("statusCode"), Is.EqualTo("DUPLICATE_VALUE"));
        Assert.That(failures["00D000000000zzz"].Text("statusCode"), Is.EqualTo("INVALID_OPERATION"));
        Assert.That(await JobCountAsync(request), Is.EqualTo(1), "nothing of the failed tree was written");
    }

    [Test]
    public async Task Trees_check_their_size_references_and_types()
    {
        var request = await NewRequestAsync();
        var tooMany = await Admin.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", Tree(request, _orgs.Take(201))).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(tooMany[0].Text("errorCode"), Is.EqualTo("LIMIT_EXCEEDED"));
        var noReference = await Admin.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", new { records = new[] { new { PackagePushRequestId = request, SubscriberOrganizationKey = _orgs[0] } } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(noReference.GetProperty("results")[0].GetProperty("errors")[0].Text("statusCode"), Is.EqualTo("INVALID_INPUT"));
        await Admin.PostAsJsonAsync($"{Data}/composite/tree/Gadget", Tree(request, _orgs.Take(1))).ExpectAsync(HttpStatusCode.NotFound);
        await Admin.PostAsJsonAsync($"{Data}/composite/tree/PackagePushJob", new { records = "nope" }).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Collections_create_in_order_with_partial_success_or_all_or_none()
    {
        var request = await NewRequestAsync();
        var partial = await Admin.PostAsJsonAsync($"{Data}/composite/sobjects", new
        {
            allOrNone = false,
            records = new object[]
            {
                new { attributes = new { type = "PackagePushJob" }, PackagePushRequestId = request, SubscriberOrganizationKey = _orgs[300] },
                new { attributes = new { type = "PackagePushJob" }, PackagePushRequestId = request, SubscriberOrganizationKey = "00D000000000zzz" },
                new { attributes = new { type = "PackagePushJob" }, PackagePushRequestId = request, SubscriberOrganizationKey = _orgs[301] },
            },
        }).ExpectAsync(HttpStatusCode.OK);
        var results = partial.EnumerateArray().ToList();
        Assert.That(results.Select(r => r.GetProperty("success").GetBoolean()), Is.EqualTo(new[] { true, false, true }));
        Assert.That(results[1].GetProperty("errors")[0].Text("statusCode"), Is.EqualTo("INVALID_OPERATION"));
        Assert.That(results[1].TryGetProperty("id", out _), Is.False);

        var atomic = await Admin.PostAsJsonAsync($"{Data}/composite/sobjects", new
        {
            allOrNone = true,
            records = new object[]
            {
                new { attributes = new { type = "PackagePushJob" }, PackagePushRequestId = request, SubscriberOrganizationKey = _orgs[302] },
                new { attributes = new { type = "PackagePushJob" }, PackagePushRequestId = request, SubscriberOrganizationKey = _orgs[300] },
            },
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(atomic.EnumerateArray().Select(r => r.GetProperty("errors")[0].Text("statusCode")), Is.EqualTo(new[] { "ALL_OR_NONE_OPERATION_ROLLED_BACK", "DUPLICATE_VALUE" }));
        Assert.That(await JobCountAsync(request), Is.EqualTo(2));
    }

    [Test]
    public async Task Collections_update_retrieve_and_refuse_deletes()
    {
        var first = await NewRequestAsync();
        var second = await NewRequestAsync();
        var update = await Admin.PatchAsJsonAsync($"{Data}/composite/sobjects", new
        {
            allOrNone = false,
            records = new object[]
            {
                new { id = first, attributes = new { type = "PackagePushRequest" }, Status = "Pending" },
                new { id = second, attributes = new { type = "PackagePushRequest" }, Status = "In Progress" },
            },
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(update.EnumerateArray().Select(r => r.GetProperty("success").GetBoolean()), Is.EqualTo(new[] { true, false }));
        Assert.That(update[0].Text("id"), Is.EqualTo(first));

        var records = await Admin.PostAsJsonAsync($"{Data}/composite/sobjects/PackagePushRequest", new { ids = new[] { first, "0DV0000000zzzzz", second[..15] }, fields = new[] { "Id", "Status" } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(records[0].Text("Status"), Is.EqualTo("Pending"));
        Assert.That(records[1].ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(records[2].Text("Status"), Is.EqualTo("Created"));

        var deletes = await Admin.DeleteAsync($"{Data}/composite/sobjects?ids={first},{second}&allOrNone=false").ExpectAsync(HttpStatusCode.OK);
        Assert.That(deletes.EnumerateArray().Select(r => r.GetProperty("errors")[0].Text("statusCode")), Has.All.EqualTo("INVALID_TYPE_FOR_OPERATION"));
    }

    [Test]
    public async Task Read_only_objects_refuse_collection_writes_per_record()
    {
        var result = await Admin.PostAsJsonAsync($"{Data}/composite/sobjects", new { records = new[] { new { attributes = new { type = "MetadataPackage" }, Name = "x" } } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(result[0].GetProperty("errors")[0].Text("statusCode"), Is.EqualTo("INVALID_TYPE_FOR_OPERATION"));
    }
}
