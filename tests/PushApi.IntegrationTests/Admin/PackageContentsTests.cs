using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>A package's contents through the native API: items, automatic dependencies, criteria at publishing, manifests, locked.</summary>
public class PackageContentsTests() : ApiFixture("package-contents")
{
    [Test]
    public async Task Selecting_an_application_includes_its_objects_and_tabs_and_removing_it_removes_them()
    {
        var package = await CreatePackageAsync("Sales App");
        var app = await AddAsync(package, "Application", "Sales", new { objects = new[] { "Deal", "Account", "Region" }, tabs = new[] { "Deals" }, label = "Sales" });
        Assert.That(app.Text("id"), Does.StartWith("1PI"));
        var account = await AddAsync(package, "Object", "Account", new { label = "Account" });
        Assert.That(account.GetProperty("selected").GetBoolean(), Is.False, "a definition given to an item the application pulls in");
        await AddAsync(package, "Object", "Region", new { label = "Region" }, new { selected = true });

        var items = await ItemsAsync(package);
        Assert.That(items.Select(i => $"{i.Text("type")} {i.Text("name")} {i.GetProperty("selected").GetBoolean()}"),
            Is.EquivalentTo(new[] { "Application Sales True", "Object Account False", "Object Region True", "Object Deal False", "WebTab Deals False" }));
        var deal = items.Single(i => i.Text("name") == "Deal");
        Assert.That(deal.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(deal.GetProperty("definition").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(deal.GetProperty("includedBy")[0].Text("type"), Is.EqualTo("Application"));
        Assert.That(deal.GetProperty("includedBy")[0].Text("name"), Is.EqualTo("Sales"));
        Assert.That(items.Single(i => i.Text("name") == "Account").GetProperty("includedBy")[0].Text("name"), Is.EqualTo("Sales"));
        Assert.That(items.Single(i => i.Text("name") == "Sales").GetProperty("definition").GetProperty("label").GetString(), Is.EqualTo("Sales"), "the rest of a definition is kept");

        await Admin.DeleteAsync($"/api/v1/packages/{package}/items/{app.Text("id")}").ExpectAsync(HttpStatusCode.NoContent);
        var after = await ItemsAsync(package);
        Assert.That(after.Select(i => $"{i.Text("type")} {i.Text("name")}"), Is.EqualTo(new[] { "Object Region" }),
            "what only the application pulled in goes with it, its given definitions too; a selected item stays");
    }

    [Test]
    public async Task Narrowing_an_application_drops_what_it_no_longer_pulls_in()
    {
        var package = await CreatePackageAsync("Narrowing");
        var app = await AddAsync(package, "Application", "Ops", new { objects = new[] { "Ticket", "Asset" } });
        await AddAsync(package, "Object", "Asset", new { });
        await Admin.PatchAsJsonAsync($"/api/v1/packages/{package}/items/{app.Text("id")}", new { definition = new { objects = new[] { "Ticket" } } }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((await ItemsAsync(package)).Select(i => i.Text("name")), Is.EquivalentTo(new[] { "Ops", "Ticket" }));
    }

    [Test]
    public async Task Bodies_of_the_wrong_shape_are_400_without_type_names_and_write_nothing()
    {
        var package = await CreatePackageAsync("Shapes");
        var item = await AddAsync(package, "Class", "Kept", new { });

        async Task RefusedAsync(HttpMethod method, string path, string json)
        {
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            var problem = await (await Admin.SendAsync(request)).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(problem.GetRawText(), Does.Not.Contain("System.").And.Not.Contain("PushApi.").And.Not.Contain("Exception"), json);
        }

        var items = $"/api/v1/packages/{package}/items";
        await RefusedAsync(HttpMethod.Post, items, """{"type": "Class", "name": "S", "definition": {"note": "\ud800"}}""");
        await RefusedAsync(HttpMethod.Post, items, """{"type": "Field", "name": "F", "definition": {"object": "\udc00"}}""");
        await RefusedAsync(HttpMethod.Post, items, """{"type": "Class", "name": "N", "definition": {"note": "a\u0000b"}}""");
        await RefusedAsync(HttpMethod.Post, items, """{"type": "Class", "name": "O", "definition": {}, "options": {"checkedOut": "yes"}}""");
        await RefusedAsync(HttpMethod.Post, items, """{"type": "Class", "name": "O", "definition": {}, "options": []}""");
        await RefusedAsync(HttpMethod.Patch, $"{items}/{item.Text("id")}", "[]");
        await RefusedAsync(HttpMethod.Put, $"/api/v1/packages/{package}/dependencies", "{}");
        await RefusedAsync(HttpMethod.Put, $"/api/v1/packages/{package}/dependencies", "[null]");
        await RefusedAsync(HttpMethod.Post, "/api/v1/packages", """{"name": "x", "items": [null]}""");
        await RefusedAsync(HttpMethod.Post, "/api/v1/packages", """{"name": "x", "locked": "no"}""");
        await RefusedAsync(HttpMethod.Post, "/api/v1/packages", """{"name": "a\u0000b"}""");
        await RefusedAsync(HttpMethod.Post, $"/api/v1/packages/{package}/versions", """{"name": "v\u0000", "majorVersion": 1, "minorVersion": 0, "releaseState": "Beta"}""");

        Assert.That((await ItemsAsync(package)).Select(i => i.Text("name")), Is.EqualTo(new[] { "Kept" }));
        var versions = await Admin.GetAsync($"/api/v1/packages/{package}/versions").ExpectAsync(HttpStatusCode.OK);
        Assert.That(versions.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task Bad_items_are_refused_with_the_field_and_write_nothing()
    {
        var package = await CreatePackageAsync("Bad Items");
        await AddAsync(package, "Class", "Billing", new { });

        async Task<string[]> RefusedAsync(object body)
        {
            var problem = await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/items", body).ExpectAsync(HttpStatusCode.BadRequest);
            return problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
        }

        Assert.That(await RefusedAsync(new { type = "Gadget", name = "X", definition = new { } }), Does.Contain("type"));
        Assert.That(await RefusedAsync(new { type = "Class", definition = new { } }), Does.Contain("name"));
        Assert.That(await RefusedAsync(new { type = "Class", name = "billing", definition = new { } }), Does.Contain("name"), "names are unique per type without case");
        Assert.That(await RefusedAsync(new { type = "Field", name = "Amount", definition = new { } }), Does.Contain("definition.object"));
        Assert.That(await RefusedAsync(new { type = "Report", name = "R", definition = new { folderVisibility = "nobody" } }), Does.Contain("definition.folderVisibility"));

        var created = await Admin.PostAsJsonAsync("/api/v1/packages", new
        {
            name = "All or none",
            items = new object[] { new { type = "Class", name = "Good", definition = new { } }, new { type = "Nope", name = "Bad", definition = new { } } },
        }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(created.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "items[1].type" }));
        var packages = await Admin.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        Assert.That(packages.EnumerateArray().Select(p => p.Text("name")), Does.Not.Contain("All or none"));
        Assert.That((await ItemsAsync(package)).Select(i => i.Text("name")), Is.EqualTo(new[] { "Billing" }));
    }

    [Test]
    public async Task Publishing_a_package_that_breaks_the_criteria_lists_every_problem_and_publishes_nothing()
    {
        var package = await CreatePackageAsync("Criteria");
        await AddAsync(package, "Application", "Ops", new { objects = new[] { "Ticket" } });
        await AddAsync(package, "Report", "By Owner", new { folderVisibility = "users" });
        await AddAsync(package, "View", "Mine", new { @object = "Ticket", visibility = "users" });
        await AddAsync(package, "User", "jane", new { });
        await AddAsync(package, "Field", "Quote.Amount", new { @object = "Quote" });
        var checkedOut = await AddAsync(package, "Class", "Router", new { }, new { checkedOut = true });

        var refused = await PublishAsync(package, "1.0", HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.Text("errorCode"), Is.EqualTo("RULES_NOT_MET"));
        var problems = refused.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("item").Text("type")} {p.GetProperty("item").Text("name")}: {p.Text("rule")}")
            .ToList();
        Assert.That(problems, Is.EquivalentTo(new[]
        {
            "Object Ticket: definition-missing",
            "Report By Owner: report-folder-visibility",
            "View Mine: view-visibility",
            "User jane: user-item",
            "Field Quote.Amount: field-object",
            "Class Router: checked-out",
        }));
        Assert.That(refused.GetProperty("problems").EnumerateArray().First(p => p.Text("rule") == "definition-missing").Text("message"),
            Is.EqualTo("Object Ticket, included by Application Ops, has no definition."));
        var versions = await Admin.GetAsync($"/api/v1/packages/{package}/versions").ExpectAsync(HttpStatusCode.OK);
        Assert.That(versions.GetArrayLength(), Is.Zero);

        await Admin.PatchAsJsonAsync($"/api/v1/packages/{package}/items/{checkedOut.Text("id")}", new { options = new { checkedOut = false } }).ExpectAsync(HttpStatusCode.OK);
        var remaining = await PublishAsync(package, "1.0", HttpStatusCode.UnprocessableEntity);
        Assert.That(remaining.GetProperty("problems").EnumerateArray().Select(p => p.Text("rule")), Does.Not.Contain("checked-out"));
    }

    [Test]
    public async Task A_released_version_is_an_immutable_manifest_with_checksums()
    {
        var package = await CreatePackageAsync("Manifest", locked: false);
        await AddAsync(package, "Application", "Billing", new { objects = new[] { "Invoice" } });
        await AddAsync(package, "Object", "Invoice", new { label = "Invoice" });
        var version = (await PublishAsync(package, "1.0", HttpStatusCode.Created)).Text("id");

        var manifest = await Admin.GetAsync($"/api/v1/versions/{version}/manifest").ExpectAsync(HttpStatusCode.OK);
        Assert.That(manifest.GetProperty("package").GetProperty("locked").GetBoolean(), Is.False);
        Assert.That(manifest.GetProperty("version").Text("id"), Is.EqualTo(version));
        var invoice = manifest.GetProperty("items").EnumerateArray().Single(i => i.Text("name") == "Invoice");
        Assert.That(invoice.Text("path"), Is.EqualTo("items/Object/Invoice.json"));
        Assert.That(invoice.GetProperty("includedBy")[0].Text("name"), Is.EqualTo("Billing"));
        var bytes = Encoding.UTF8.GetBytes(invoice.GetProperty("definition").GetRawText());
        Assert.That(invoice.Text("sha256"), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));

        // The working set moves on; the published version does not.
        await AddAsync(package, "Class", "Later", new { });
        var again = await Admin.GetAsync($"/api/v1/versions/{version}/manifest").ExpectAsync(HttpStatusCode.OK);
        Assert.That(again.GetProperty("items").GetArrayLength(), Is.EqualTo(2));
        await Admin.PatchAsJsonAsync($"/api/v1/versions/{version}", new { items = Array.Empty<object>() }).ExpectAsync(HttpStatusCode.Conflict);

        // Locked is fixed once a version is released.
        var locking = await Admin.PatchAsJsonAsync($"/api/v1/packages/{package}", new { locked = true }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(locking.Text("detail"), Does.Contain("released"));
    }

    [Test]
    public async Task Locked_can_change_before_the_first_release_and_a_beta_can_be_promoted()
    {
        var package = await CreatePackageAsync("Promote");
        var unlocked = await Admin.PatchAsJsonAsync($"/api/v1/packages/{package}", new { locked = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(unlocked.GetProperty("locked").GetBoolean(), Is.False);

        var beta = (await PublishAsync(package, "2.0", HttpStatusCode.Created, "Beta")).Text("id");
        await Admin.PatchAsJsonAsync($"/api/v1/packages/{package}", new { locked = true }).ExpectAsync(HttpStatusCode.OK);
        var mismatch = await Admin.PatchAsJsonAsync($"/api/v1/versions/{beta}", new { releaseState = "Released" }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(mismatch.Text("detail"), Does.Contain("published unlocked"), "the first release carries the flag the package keeps");

        await Admin.PatchAsJsonAsync($"/api/v1/packages/{package}", new { locked = false }).ExpectAsync(HttpStatusCode.OK);
        var promoted = await Admin.PatchAsJsonAsync($"/api/v1/versions/{beta}", new { releaseState = "Released", isDeprecated = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(promoted.Text("releaseState"), Is.EqualTo("Released"));
        await Admin.PatchAsJsonAsync($"/api/v1/versions/{beta}", new { releaseState = "Beta" }).ExpectAsync(HttpStatusCode.Conflict);
        await Admin.PatchAsJsonAsync($"/api/v1/packages/{package}", new { locked = true }).ExpectAsync(HttpStatusCode.Conflict);
        var manifest = await Admin.GetAsync($"/api/v1/versions/{beta}/manifest").ExpectAsync(HttpStatusCode.OK);
        Assert.That(manifest.GetProperty("package").GetProperty("locked").GetBoolean(), Is.False);
        Assert.That(manifest.GetProperty("version").Text("releaseState"), Is.EqualTo("Released"));
    }

    [Test]
    public async Task Packages_that_need_packages_record_them_and_a_cycle_is_refused()
    {
        var core = await CreatePackageAsync("Core Objects");
        await AddAsync(core, "Object", "Deal", new { });
        await PublishAsync(core, "1.2", HttpStatusCode.Created);
        var addon = await CreatePackageAsync("Deal Add-on");
        await AddAsync(addon, "Field", "Deal.Score", new { @object = "Deal" });

        await PublishAsync(addon, "1.0", HttpStatusCode.UnprocessableEntity);
        await Admin.PutAsJsonAsync($"/api/v1/packages/{addon}/dependencies", new[] { new { packageId = core, minimumVersion = "2.0" } }).ExpectAsync(HttpStatusCode.OK);
        var unreleased = await PublishAsync(addon, "1.0", HttpStatusCode.UnprocessableEntity);
        Assert.That(unreleased.GetProperty("problems").EnumerateArray().Select(p => p.Text("rule")), Does.Contain("dependency-released"));
        var set = await Admin.PutAsJsonAsync($"/api/v1/packages/{addon}/dependencies", new[] { new { packageId = core, minimumVersion = "1.1" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(set[0].Text("minimumVersion"), Is.EqualTo("1.1"));
        var version = (await PublishAsync(addon, "1.0", HttpStatusCode.Created)).Text("id");
        var manifest = await Admin.GetAsync($"/api/v1/versions/{version}/manifest").ExpectAsync(HttpStatusCode.OK);
        Assert.That(manifest.GetProperty("dependencies")[0].Text("packageId"), Is.EqualTo(core));

        var cycle = await Admin.PutAsJsonAsync($"/api/v1/packages/{core}/dependencies", new[] { new { packageId = addon, minimumVersion = "1.0" } })
            .ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(cycle.GetProperty("problems")[0].Text("rule"), Is.EqualTo("dependency-cycle"));
        var coreDependencies = await Admin.GetAsync($"/api/v1/packages/{core}/dependencies").ExpectAsync(HttpStatusCode.OK);
        Assert.That(coreDependencies.GetArrayLength(), Is.Zero, "a refused change writes nothing");

        var bad = await Admin.PutAsJsonAsync($"/api/v1/packages/{addon}/dependencies", new[] { new { packageId = addon, minimumVersion = "one" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "[0].packageId", "[0].minimumVersion" }));
    }

    private async Task<string> CreatePackageAsync(string name, bool locked = true)
    {
        var created = await Admin.PostAsJsonAsync("/api/v1/packages", new { name, locked }).ExpectAsync(HttpStatusCode.Created);
        Assert.That(created.GetProperty("locked").GetBoolean(), Is.EqualTo(locked));
        return created.Text("id");
    }

    private async Task<JsonElement> AddAsync(string package, string type, string name, object definition, object? options = null) =>
        await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/items", new { type, name, definition, options }).ExpectAsync(HttpStatusCode.Created);

    private async Task<List<JsonElement>> ItemsAsync(string package) =>
        (await Admin.GetAsync($"/api/v1/packages/{package}/items").ExpectAsync(HttpStatusCode.OK)).EnumerateArray().ToList();

    private async Task<JsonElement> PublishAsync(string package, string number, HttpStatusCode expected, string releaseState = "Released")
    {
        var parts = number.Split('.').Select(int.Parse).ToArray();
        return await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = "v" + number, majorVersion = parts[0], minorVersion = parts[1], releaseState })
            .ExpectAsync(expected);
    }
}
