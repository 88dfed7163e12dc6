namespace PushApi.Server.Pipeline;

/// <summary>
/// <see cref="PathString.StartsWithSegments(PathString, StringComparison, out PathString)"/> ignoring case, on the path's
/// characters: no substring for the rest. For checks that run on every request, refused ones included.
/// </summary>
public static class PathSegments
{
    /// <summary>Whether <paramref name="path"/> is <paramref name="segments"/> or starts with it then <c>/</c>; <paramref name="rest"/> is what follows.</summary>
    public static bool StartsWith(ReadOnlySpan<char> path, ReadOnlySpan<char> segments, out ReadOnlySpan<char> rest)
    {
        if (path.StartsWith(segments, StringComparison.OrdinalIgnoreCase) && (path.Length == segments.Length || path[segments.Length] == '/'))
        {
            rest = path[segments.Length..];
            return true;
        }

        rest = default;
        return false;
    }
}
