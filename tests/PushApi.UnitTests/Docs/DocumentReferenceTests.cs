using System.Text.RegularExpressions;

namespace PushApi.UnitTests.Docs;

/// <summary>
/// Every file README.md and docs/**/*.md name exists: relative links, backticked repository paths (<c>docs/x.md</c>,
/// <c>tests/run-fuzz.sh</c>, <c>src/…</c>) and any <c>*.md</c> a sentence names. Placeholders (<c>&lt;data dir&gt;/…</c>,
/// globs, ellipses), URLs and what a run creates (<c>.pushapi</c>, <c>TestResults</c>, <c>bin/</c>) are not files to find.
/// </summary>
public partial class DocumentReferenceTests
{
    private static readonly string[] TopLevel = ["src/", "tests/", "docs/", "deploy/", "samples/", "wsdl/", "openapi/", ".ci/"];
    private static readonly string[] Generated = [".pushapi", "TestResults", "bin/", "obj/", "node_modules", "screenshots"];

    private static string Root { get; } = FindRoot();

    public static IEnumerable<string> Documents() =>
        new[] { Path.Combine(Root, "README.md"), Path.Combine(Root, "CHANGELOG.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(Root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Documents))]
    public void Every_file_a_document_names_exists(string document)
    {
        var text = File.ReadAllText(Path.Combine(Root, document));
        var missing = References(WithoutFencedBlocks(text))
            .Where(reference => !Exists(document, reference))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.That(missing, Is.Empty, $"{document} names files that do not exist");
    }

    [Test]
    public void The_check_finds_a_dangling_reference()
    {
        var references = References("See [the design](docs/nowhere.md), `tests/run-nothing.sh 3` and RELIABILITY.md; not `<data dir>/connection` or https://x.org/a.md.").ToList();
        Assert.That(references, Is.EqualTo(new[] { "docs/nowhere.md", "tests/run-nothing.sh", "RELIABILITY.md" }));
        Assert.That(references.Where(r => !Exists("README.md", r)), Is.EqualTo(references));
    }

    private static IEnumerable<string> References(string text)
    {
        text = Url().Replace(text, " ");
        foreach (Match link in Link().Matches(text))
        {
            var target = link.Groups[1].Value.Split('#')[0];
            if (target.Length > 0 && !target.Contains(':', StringComparison.Ordinal))
            {
                yield return target;
            }
        }

        foreach (Match code in InlineCode().Matches(text))
        {
            var path = code.Groups[1].Value.Trim().Split(' ')[0];
            if (TopLevel.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal)) && !IsPlaceholder(path))
            {
                yield return path.TrimEnd('.', ',', ';', ':');
            }
        }

        foreach (Match name in MarkdownName().Matches(Link().Replace(text, " ")))
        {
            if (!IsPlaceholder(name.Value))
            {
                yield return name.Value;
            }
        }
    }

    private static bool IsPlaceholder(string path) =>
        path.IndexOfAny(['<', '>', '*', '…', '{', '}', '|', '?', '$']) >= 0 || path.Contains("...", StringComparison.Ordinal)
        || Generated.Any(part => path.Contains(part, StringComparison.Ordinal));

    /// <summary>A link resolves from the document's folder; a named path from the root or from there.</summary>
    private static bool Exists(string document, string reference)
    {
        var here = Path.GetDirectoryName(Path.Combine(Root, document))!;
        return new[] { Path.Combine(here, reference), Path.Combine(Root, reference) }
            .Select(Path.GetFullPath)
            .Any(path => File.Exists(path) || Directory.Exists(path));
    }

    private static string WithoutFencedBlocks(string text) => Fenced().Replace(text, "\n");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PushApi.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("PushApi.sln not found above the test's directory.");
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Url();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"(?<![\w./<-])[\w./-]*[A-Za-z0-9_-]\.md\b")]
    private static partial Regex MarkdownName();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fenced();
}
