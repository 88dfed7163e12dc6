using System.Text.Json.Nodes;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Distribution;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>manifest.json spoiled one value at a time: each refusal names the code and the JSON path.</summary>
public class ManifestSchemaTests
{
    private static readonly string VersionIdAsPackageId = SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, 7);

    private static IEnumerable<TestCaseData> Spoiled()
    {
        yield return Case("$.package", m => m.Remove("package"));
        yield return Case("$.package.id", m => m["package"]!["id"] = VersionIdAsPackageId);
        yield return Case("$.package.id", m => m["package"]!["id"] = SalesforceId.Format(KeyPrefixes.MetadataPackage, 7)[..17]);
        yield return Case("$.package.name", m => m["package"]!["name"] = " ");
        yield return Case("$.package.name", m => m["package"]!["name"] = "a\u0000b");
        yield return Case("$.package.name", m => m["package"]!["name"] = "Sample\u001bApp");
        yield return Case("$.version.name", m => m["version"]!["name"] = "Sample App\n1.2");
        yield return Case("$.version.name", m => m["version"]!["name"] = "\u0000");
        yield return Case("$.package.namespacePrefix", m => m["package"]!["namespacePrefix"] = "1st");
        yield return Case("$.package.locked", m => m["package"]!.AsObject().Remove("locked"));
        yield return Case("$.package.locked", m => m["package"]!["locked"] = "yes");
        yield return Case("$.version.id", m => m["version"]!["id"] = SamplePackages.PackageId);
        yield return Case("$.version.majorVersion", m => m["version"]!["majorVersion"] = -1);
        yield return Case("$.version.minorVersion", m => m["version"]!["minorVersion"] = 1.5);
        yield return Case("$.version.patchVersion", m => m["version"]!["patchVersion"] = "0");
        yield return Case("$.version.buildNumber", m => m["version"]!.AsObject().Remove("buildNumber"));
        yield return Case("$.version.releaseState", m => m["version"]!["releaseState"] = "released");
        yield return Case("$.dependencies", m => m["dependencies"] = null);
        yield return Case("$.dependencies[0].packageId", m => m["dependencies"]![0]!["packageId"] = SamplePackages.PackageId);
        yield return Case("$.dependencies[0].minimumVersion", m => m["dependencies"]![0]!["minimumVersion"] = "1");
        yield return Case("$.items", m => m["items"] = new JsonObject());
        yield return Case("$.items[0]", m => m["items"]![0] = null);
        yield return Case("$.items[0].name", m => m["items"]![0]!["name"] = "../../etc/passwd");
        yield return Case("$.items[0].name", m => m["items"]![0]!["name"] = "Item 00000\n");
        yield return Case("$.items[0].path", m => m["items"]![0]!["path"] = "items/Class/Item 00000.json");
        yield return Case("$.items[0].sha256", m => m["items"]![0]!["sha256"] = new string('g', 64));
        yield return Case("$.items[0].includedBy", m => m["items"]![0]!["includedBy"] = null);
        yield return Case("$.items[2].includedBy[0].name", m => m["items"]![2]!["includedBy"]![0]!["name"] = "");
        yield return Case("$.items[0].selected", m => m["items"]![0]!["selected"] = null);
        yield return Case("$.items[1].type", m => m["items"]![1]!["type"] = "Spaceship", UnknownItemType);
        yield return Case("$.items[2].includedBy[0].type", m => m["items"]![2]!["includedBy"]![0]!["type"] = "Spaceship", UnknownItemType);
        yield return Case("$.items[1].description", m => m["items"]![1]!["description"] = "tab\u0000stop");
        yield return Case("$.package", m => m.Clear(), count: 3);
    }

    [TestCaseSource(nameof(Spoiled))]
    public void A_manifest_that_breaks_its_schema_is_refused_at_the_value_concerned(Action<JsonObject> spoil, string path, string code, int count)
    {
        var archive = SamplePackages.Archive(3);
        var manifest = SamplePackages.ManifestNode(archive);
        spoil(manifest);

        var refusal = Refusals.Of(SamplePackages.ZipWithManifest(archive, manifest.ToJsonString()));

        Assert.That(refusal.Problems, Has.Count.EqualTo(count));
        Assert.That(refusal.Problems[0].Code, Is.EqualTo(code));
        Assert.That(refusal.Problems[0].Entry, Is.EqualTo("manifest.json"));
        Assert.That(refusal.Problems[0].Message, Does.StartWith(path + ":"));
    }

    [Test]
    public void Two_items_of_one_type_whose_names_differ_only_in_case_are_refused()
    {
        var archive = SamplePackages.Archive(25);
        var manifest = SamplePackages.ManifestNode(archive);
        var twin = manifest["items"]![0]!.DeepClone();
        twin["name"] = "ITEM 00000";
        twin["path"] = "items/Application/ITEM 00000.json";
        manifest["items"]!.AsArray().Add(twin);

        var problem = Refusals.Of(SamplePackages.ZipWithManifest(archive, manifest.ToJsonString())).Problems.Single();

        Assert.That(problem.Code, Is.EqualTo(DuplicateItem));
        Assert.That(problem.Message, Does.StartWith("$.items[25]: Application 'ITEM 00000' is already listed at $.items[0]"));
    }

    [TestCase("{\"package\": ", Description = "cut short")]
    [TestCase("<manifest/>", Description = "XML")]
    [TestCase("{\"items\": [] /* comment */}", Description = "a comment")]
    public void A_manifest_that_is_not_JSON_is_refused(string manifest) =>
        Assert.That(Refusals.Of(SamplePackages.ZipWithManifest(SamplePackages.Archive(1), manifest)).Codes(), Is.EqualTo(new[] { ManifestNotJson }));

    [Test]
    public void A_manifest_that_says_one_property_twice_is_refused()
    {
        var archive = SamplePackages.Archive(1);
        var manifest = SamplePackages.ManifestNode(archive).ToJsonString();
        var twice = manifest.Replace("\"locked\":true", "\"locked\":true,\"locked\":false", StringComparison.Ordinal);

        var problem = Refusals.Of(SamplePackages.ZipWithManifest(archive, twice)).Problems.Single();

        Assert.That(problem.Code, Is.EqualTo(ManifestNotJson));
        Assert.That(problem.Message, Does.Contain("'locked' appears twice"));
    }

    [TestCase("\"locked\":true", "\"locked\":true,\"\\ud800\":1", "$.package: a property name holds a string that is not valid Unicode text (a lone surrogate) (at byte ")]
    [TestCase("\"releaseState\":\"Released\"", "\"releaseState\":\"Released\\udc00\"", "$.version.releaseState: the value holds a string that is not valid Unicode text (a lone surrogate).")]
    [TestCase("\"includedBy\":[]", "\"includedBy\":[],\"note\":[1,\"\\ud800\\u0041\"]", "$.items[0].note[1]: the value holds a string that is not valid Unicode text (a lone surrogate).")]
    [TestCase("\"locked\":true", "\"locked\":true,\"a\\u0000\":1", "$.package: a property name holds a NUL character (\\u0000), which cannot be stored (at byte ")]
    public void A_manifest_string_that_is_no_text_is_refused_at_its_path(string find, string replace, string message)
    {
        var archive = SamplePackages.Archive(1);
        var manifest = SamplePackages.ManifestNode(archive).ToJsonString();
        Assert.That(manifest, Does.Contain(find));

        var problem = Refusals.Of(SamplePackages.ZipWithManifest(archive, manifest.Replace(find, replace, StringComparison.Ordinal))).Problems.Single();

        Assert.That(problem.Code, Is.EqualTo(ManifestInvalid));
        Assert.That(problem.Message, Does.StartWith(message));
    }

    [Test]
    public void A_manifest_nested_deeper_than_its_shape_is_refused()
    {
        var deep = "{\"package\":" + new string('[', 50) + new string(']', 50) + "}";
        Assert.That(Refusals.Of(SamplePackages.ZipWithManifest(SamplePackages.Archive(1), deep)).Codes(), Is.EqualTo(new[] { ManifestNotJson }));
    }

    [Test]
    public void A_null_manifest_is_refused() =>
        Assert.That(Refusals.Of(SamplePackages.ZipWithManifest(SamplePackages.Archive(1), "null")).Codes(), Is.EqualTo(new[] { ManifestInvalid }));

    private static TestCaseData Case(string path, Action<JsonObject> spoil, string code = ManifestInvalid, int count = 1) =>
        new TestCaseData(spoil, path, code, count).SetArgDisplayNames(path, code);
}
