using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PushApi.UnitTests.Architecture;

/// <summary>Rules on the sources themselves: sizes that keep one home per concern, and push statuses in SQL only in the status-change module.</summary>
public partial class SourceRulesTests
{
    private const int MaxFileLines = 400;
    private const int MaxMethodLines = 80;

    /// <summary>Declarative tables, which read best whole.</summary>
    private static readonly HashSet<string> Tables = ["src/PushApi.Core/Catalog/SObjectCatalog.cs: SObjectCatalog.cctor"];

    [Test]
    public void Every_source_file_is_under_400_lines()
    {
        var long_ = SourceFiles.Parsed
            .Select(f => (f.Path, Lines: f.Tree.GetText().Lines.Count - (f.Tree.GetText().ToString().EndsWith('\n') ? 1 : 0)))
            .Where(f => f.Lines > MaxFileLines)
            .Select(f => $"{f.Path}: {f.Lines} lines")
            .ToList();
        Assert.That(long_, Is.Empty);
    }

    [Test]
    public void No_method_is_over_80_lines()
    {
        var long_ = new List<string>();
        foreach (var (path, tree) in SourceFiles.Parsed)
        {
            foreach (var member in tree.GetRoot().DescendantNodes().Where(n => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax))
            {
                var lines = SourceFiles.Lines(member);
                if (lines > MaxMethodLines && !Tables.Contains($"{path}: {Name(member)}"))
                {
                    long_.Add($"{path}: {Name(member)} is {lines} lines");
                }
            }
        }

        Assert.That(long_, Is.Empty);
    }

    [Test]
    public void Push_statuses_appear_in_SQL_only_in_the_status_change_module()
    {
        var found = new List<string>();
        foreach (var (path, tree) in SourceFiles.Parsed.Where(f => f.Path.StartsWith("src/", StringComparison.Ordinal) && !f.Path.Contains("/Push/Status/", StringComparison.Ordinal)))
        {
            foreach (var text in StringTexts(tree.GetRoot()))
            {
                if (SqlKeyword().IsMatch(text) && PushTable().IsMatch(text) && StatusLiteral().Match(text) is { Success: true } literal)
                {
                    found.Add($"{path}: {literal.Value} in \"{Shorten(text)}\"");
                }
            }
        }

        Assert.That(found, Is.Empty, "render statuses into SQL with PushStatusSql, and put status changes in Core/Push/Status");
    }

    /// <summary>The text of every string literal, raw or interpolated (the interpolation holes left out).</summary>
    private static IEnumerable<string> StringTexts(SyntaxNode root)
    {
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression):
                    yield return literal.Token.ValueText;
                    break;
                case InterpolatedStringExpressionSyntax interpolated:
                    yield return string.Concat(interpolated.Contents.OfType<InterpolatedStringTextSyntax>().Select(t => t.TextToken.ValueText));
                    break;
            }
        }
    }

    private static string Name(SyntaxNode member) => member switch
    {
        ConstructorDeclarationSyntax c => $"{c.Identifier.Text}{(c.Modifiers.Any(SyntaxKind.StaticKeyword) ? ".cctor" : ".ctor")}",
        MethodDeclarationSyntax m => m.Identifier.Text,
        LocalFunctionStatementSyntax f => f.Identifier.Text,
        AccessorDeclarationSyntax a => a.Keyword.Text,
        _ => member.Kind().ToString(),
    };

    private static string Shorten(string text) => text.Length > 60 ? text[..60].ReplaceLineEndings(" ") + "…" : text.ReplaceLineEndings(" ");

    [GeneratedRegex(@"\b(SELECT|UPDATE|INSERT|DELETE|WHERE)\b")]
    private static partial Regex SqlKeyword();

    [GeneratedRegex(@"\bpush_(jobs|requests)\b")]
    private static partial Regex PushTable();

    [GeneratedRegex("'(Created|Pending|In Progress|Succeeded|Failed|Canceled)'")]
    private static partial Regex StatusLiteral();
}
