namespace PushApi.Core.Packages.Distribution;

/// <summary>An uploaded package file was refused (native API: 400 "Invalid package file" listing the problems).</summary>
public sealed class ArchiveRejectedException : Exception
{
    public ArchiveRejectedException(IReadOnlyList<ArchiveProblem> problems)
        : base(Summarize(problems))
    {
        Problems = problems;
    }

    public ArchiveRejectedException(string code, string? entry, string message)
        : this([new ArchiveProblem(code, entry, message)])
    {
    }

    /// <summary>At least one problem, in the order found.</summary>
    public IReadOnlyList<ArchiveProblem> Problems { get; }

    private static string Summarize(IReadOnlyList<ArchiveProblem> problems)
    {
        ArgumentOutOfRangeException.ThrowIfZero(problems.Count, nameof(problems));
        var first = problems[0].Message;
        return problems.Count == 1 ? first : $"{first} (and {problems.Count - 1} more problems)";
    }
}
