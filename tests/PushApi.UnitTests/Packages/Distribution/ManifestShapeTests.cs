using System.Text.Json.Nodes;
using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>
/// The manifest's optional parts. The issue's shape has neither <c>dependencies</c> nor an item's
/// <c>selected</c>, which our writer adds: a manifest written to it is read, the absent parts taking their defaults.
/// </summary>
public class ManifestShapeTests
{
    [Test]
    public async Task A_manifest_written_to_the_issues_shape_is_read()
    {
        var archive = SamplePackages.Archive(6);
        var manifest = SamplePackages.ManifestNode(archive);
        manifest.Remove("dependencies");
        foreach (var item in Items(manifest))
        {
            item.Remove("selected");
        }

        var read = await Read(archive, manifest);

        Assert.That(read.Manifest.Dependencies, Is.Empty);
        Assert.That(read.Manifest.Items.Select(i => i.Selected), Is.EqualTo(new[] { true, true, false, true, true, false }), "selected when nothing included it");
        var expected = archive.Manifest with { Dependencies = [] };
        Assert.That(ManifestJson.ToBytes(read.Manifest), Is.EqualTo(ManifestJson.ToBytes(expected)));
        Assert.That(read.Files.Keys, Is.EquivalentTo(archive.Files.Keys));
    }

    [Test]
    public async Task Without_includedBy_an_item_was_included_by_nothing_and_is_selected()
    {
        var archive = SamplePackages.Archive(6);
        var manifest = SamplePackages.ManifestNode(archive);
        foreach (var item in Items(manifest))
        {
            item.Remove("includedBy");
            item.Remove("selected");
        }

        var read = await Read(archive, manifest);

        Assert.That(read.Manifest.Items.Select(i => i.IncludedBy), Is.All.Empty);
        Assert.That(read.Manifest.Items.Select(i => i.Selected), Is.All.True);
        Assert.That(read.Manifest.Dependencies, Is.EqualTo(archive.Manifest.Dependencies));
    }

    [Test]
    public async Task A_given_selected_is_kept_even_where_the_default_would_differ()
    {
        var archive = SamplePackages.Archive(3);
        var manifest = SamplePackages.ManifestNode(archive);
        manifest["items"]![0]!["selected"] = false;
        manifest["items"]![2]!["selected"] = true;

        var read = await Read(archive, manifest);

        Assert.That(read.Manifest.Items.Select(i => i.Selected), Is.EqualTo(new[] { false, true, true }));
    }

    [Test]
    public async Task Names_may_hold_any_text_but_control_characters()
    {
        var archive = SamplePackages.Archive(1);
        var manifest = SamplePackages.ManifestNode(archive);
        manifest["package"]!["name"] = "Émoji 😀 \"quoted\" app";
        manifest["version"]!["name"] = "1.2 — Ω";

        var read = await Read(archive, manifest);

        Assert.That(read.Manifest.Package.Name, Is.EqualTo("Émoji 😀 \"quoted\" app"));
        Assert.That(read.Manifest.Version.Name, Is.EqualTo("1.2 — Ω"));
    }

    private static IEnumerable<JsonObject> Items(JsonObject manifest) => manifest["items"]!.AsArray().Select(i => i!.AsObject());

    private static Task<PackageArchive> Read(PackageArchive archive, JsonObject manifest) =>
        new PackageArchiveReader().ReadAsync(new MemoryStream(SamplePackages.ZipWithManifest(archive, manifest.ToJsonString())));
}
