using System.Diagnostics.CodeAnalysis;

namespace PushApi.Core.Push.Status;

/// <summary>The status of a push request or a push job.</summary>
public enum PushStatus
{
    Created,
    Pending,
    InProgress,
    Succeeded,
    Failed,
    Canceled,
}

/// <summary>Wire spelling (<c>In Progress</c>) and the terminal states.</summary>
public static class PushStatuses
{
    public static IReadOnlyList<PushStatus> All { get; } = Enum.GetValues<PushStatus>();

    /// <summary>The picklist value as Salesforce spells it, and as it is stored.</summary>
    public static string WireName(this PushStatus status) => status switch
    {
        PushStatus.Created => "Created",
        PushStatus.Pending => "Pending",
        PushStatus.InProgress => "In Progress",
        PushStatus.Succeeded => "Succeeded",
        PushStatus.Failed => "Failed",
        PushStatus.Canceled => "Canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>Reads a picklist value; case is ignored, as Salesforce does for picklists.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PushStatus status)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.WireName(), text, StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static PushStatus Parse(string text) =>
        TryParse(text, out var status) ? status : throw new FormatException($"'{text}' is not a push status.");

    public static bool IsTerminal(this PushStatus status) => status is PushStatus.Succeeded or PushStatus.Failed or PushStatus.Canceled;
}
