namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// The problems found in one pass, so an upload is told everything wrong with it at once. At most
/// <see cref="MaxListed"/>: a hostile file could otherwise make the answer as large as itself.
/// </summary>
internal sealed class ProblemList
{
    public const int MaxListed = 100;

    private readonly List<ArchiveProblem> _problems = [];

    public bool IsFull => _problems.Count >= MaxListed;

    public void Add(string code, string? entry, string message)
    {
        if (!IsFull)
        {
            _problems.Add(new ArchiveProblem(code, entry, message));
        }
    }

    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
        {
            throw new ArchiveRejectedException(_problems);
        }
    }
}
