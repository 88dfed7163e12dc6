using System.Globalization;
using PushApi.Core.Errors;

namespace PushApi.Server.Pipeline;

/// <summary>The <c>limit</c> and <c>after</c> of the native API's id-ordered pages (components, exclusions), each a 400 naming itself when wrong.</summary>
public static class KeysetPaging
{
    public static int Limit(int? limit, int fallback, int max) =>
        (limit ?? fallback) is var size && size >= 1 && size <= max ? size : throw new InputException("limit", $"limit must be between 1 and {max}.");

    /// <summary>The id to continue after (0: from the start).</summary>
    public static long After(string? after) =>
        after is null ? 0
        : long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new InputException("after", "after must be the nextAfter of the previous page.");
}
