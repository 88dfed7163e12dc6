using System.CommandLine;
using System.Security.Cryptography;
using PushApi.Cli.Api;
using PushApi.Cli.Terminal;

namespace PushApi.Cli.Packages;

/// <summary>
/// <c>pushapi packages export VERSION_ID</c> saves a version's package ZIP (<c>GET /api/v1/versions/{id}/package.zip</c>);
/// <c>pushapi packages import FILE</c> stores one on this server with the same ids (<c>POST /api/v1/packages/import</c>).
/// </summary>
public static class PackagesCommand
{
    private static readonly Argument<string> VersionId = new("VERSION_ID") { Description = "The version to export (04t…)" };
    private static readonly Option<string?> OutputFile = new("--output", "-o") { Description = "Where to save the ZIP (default: package-<VERSION_ID>.zip)" };
    private static readonly Argument<string> ZipFile = new("FILE") { Description = "A package ZIP made by pushapi packages export (or the console's Download)" };

    public static Command Create()
    {
        var export = new Command("export", "Save a package version as a ZIP (manifest.json and its items)") { VersionId, OutputFile };
        export.SetAction(ExportAsync);
        var import = new Command("import", "Import a package ZIP (ids kept; the same version again changes nothing)") { ZipFile };
        import.SetAction(ImportAsync);
        return new Command("packages", "Package versions as ZIP files") { export, import };
    }

    private static async Task<int> ExportAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var version = parse.GetRequiredValue(VersionId);
        var file = parse.GetValue(OutputFile) ?? $"package-{version}.zip";
        using var client = Session.Connect(parse, TimeSpan.FromMinutes(10));
        var bytes = await Transfers.DownloadAsync(output, client, $"api/v1/versions/{Uri.EscapeDataString(version)}/package.zip", file, cancellationToken);
        string sha256;
        await using (var saved = LocalFiles.OpenRead(file))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(saved, cancellationToken));
        }

        if (output.Json)
        {
            Output.WriteJson(new { versionId = version, file = Path.GetFullPath(file), size = bytes, sha256 });
        }
        else
        {
            output.Line($"Saved version {version} to {file} ({Transfers.Size(bytes)}, SHA-256 {sha256}).");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> ImportAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = Output.For(parse);
        var file = parse.GetRequiredValue(ZipFile);
        LocalFiles.MustBeReadable(file);
        using var client = Session.Connect(parse, TimeSpan.FromMinutes(10));
        var result = await Transfers.UploadAsync(output, client, "api/v1/packages/import", file, "application/zip", cancellationToken);
        if (output.Json)
        {
            Output.WriteJson(result);
        }
        else
        {
            output.Line(result.Flag("created")
                ? $"Imported version {result.Text("versionId")} of package {result.Text("packageId")}."
                : $"Version {result.Text("versionId")} of package {result.Text("packageId")} was already here; nothing changed.");
        }

        return ExitCodes.Ok;
    }
}
