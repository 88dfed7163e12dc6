using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PushApi.UnitTests.Architecture;

/// <summary>The repository's C# sources (src/ and tests/, build output excluded), parsed.</summary>
public static class SourceFiles
{
    internal static readonly Lazy<string> RootDirectory = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "PushApi.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("PushApi.sln not found above the test's directory.");
    });

    private static readonly Lazy<IReadOnlyList<(string Path, SyntaxTree Tree)>> All = new(() =>
        [.. new[] { "src", "tests" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RootDirectory.Value, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains("node_modules", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetRelativePath(RootDirectory.Value, path).Replace('\\', '/'), CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: path)))]);

    /// <summary>Every source file by its path from the repository root (<c>src/PushApi.Core/…</c>).</summary>
    public static IReadOnlyList<(string Path, SyntaxTree Tree)> Parsed => All.Value;

    /// <summary>Lines a node spans, from its first token to its last.</summary>
    public static int Lines(SyntaxNode node)
    {
        var span = node.GetLocation().GetLineSpan();
        return span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
    }
}
