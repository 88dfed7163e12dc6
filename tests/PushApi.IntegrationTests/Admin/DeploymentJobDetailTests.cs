using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// One job of a deployment (<c>GET /api/v1/deployments/{id}/jobs/{jobId}</c>), the console's per-tenant drill-down:
/// the job, its request's install settings, and every PackagePushError with its details; a job of another
/// deployment, or no job, is not found.
/// </summary>
[NonParallelizable]
public class DeploymentJobDetailTests() : ApiFixture("jobdetail")
{
    [Test]
    public async Task A_failed_job_answers_with_its_errors_and_a_job_of_another_deployment_is_not_found()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "jobdetail");
        var orgs = await push.TenantsAsync(3);
        var created = await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = push.NewVersion,
            targets = new { orgKeys = orgs[..2] },
            scheduledStartTime = TimeProvider.System.GetUtcNow().AddSeconds(2),
            rolesMode = "override",
        }).ExpectAsync(HttpStatusCode.Created);
        var id = created.Text("id");
        await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = orgs[0], packageId = push.PackageId, reason = "Fails on purpose" }).ExpectAsync(HttpStatusCode.Created);
        await push.WaitForAsync(id, TimeSpan.FromSeconds(60), "Failed", "Succeeded");
        var jobs = (await Admin.GetAsync($"/api/v1/deployments/{id}/jobs").ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .ToDictionary(j => j.Text("orgKey"), j => j.Text("id"));

        var failed = await Admin.GetAsync($"/api/v1/deployments/{id}/jobs/{jobs[orgs[0]]}").ExpectAsync(HttpStatusCode.OK);
        var job = failed.GetProperty("job");
        Assert.That((job.Text("id"), job.Text("orgKey"), job.Text("orgName"), job.Text("status")), Is.EqualTo((jobs[orgs[0]], orgs[0], "Tenant 0", "Failed")));
        Assert.That(job.GetProperty("endTime").ValueKind, Is.Not.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That((failed.Text("requestId"), failed.Text("packageVersionId"), failed.Text("installMode"), failed.Text("rolesMode")), Is.EqualTo((id, push.NewVersion, "upgrade", "override")));
        var errors = failed.GetProperty("errors").EnumerateArray().ToList();
        Assert.That(errors.Select(e => (e.Text("errorType"), e.Text("errorTitle"), e.Text("errorSeverity"))), Is.EqualTo(new[] { ("IneligibleUpgrade", "Org Excluded", "Error") }));
        Assert.That(errors[0].Text("errorMessage"), Does.Contain(orgs[0]));
        Assert.That(errors[0].Text("id"), Does.StartWith("0DY"));

        var succeeded = await Admin.GetAsync($"/api/v1/deployments/{id}/jobs/{jobs[orgs[1]]}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((succeeded.GetProperty("job").Text("status"), succeeded.GetProperty("errors").GetArrayLength()), Is.EqualTo(("Succeeded", 0)));

        var other = (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { orgKeys = orgs[2..] }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddDays(1) })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
        await Admin.GetAsync($"/api/v1/deployments/{other}/jobs/{jobs[orgs[0]]}").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync($"/api/v1/deployments/{id}/jobs/0DX000000000000AAA").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync($"/api/v1/deployments/{id}/jobs/garbage").ExpectAsync(HttpStatusCode.NotFound);
    }
}
