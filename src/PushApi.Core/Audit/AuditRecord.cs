namespace PushApi.Core.Audit;

/// <summary>
/// What happened, as a use case or the HTTP pipeline reports it: an <see cref="Action"/> such as
/// <c>POST /api/v1/tenants</c>, <c>soap.update</c>, <c>login.failed</c> or <c>deployment.approved</c>, who
/// did it (a failed login has only the name it tried), from where, and a short target id. Never a
/// secret or a request body.
/// </summary>
public sealed record AuditRecord(string Action)
{
    public long? UserId { get; init; }

    public string? Username { get; init; }

    public string? ClientAddress { get; init; }

    public string? Method { get; init; }

    public string? Path { get; init; }

    public int? StatusCode { get; init; }

    public string? Target { get; init; }

    public string? Detail { get; init; }
}

/// <summary>One stored entry of the audit log.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset OccurredAt,
    long? UserId,
    string? Username,
    string? ClientAddress,
    string Action,
    string? Method,
    string? Path,
    int? StatusCode,
    string? Target,
    string? Detail);

/// <summary>
/// Which entries a page shows, newest first: those before entry <see cref="Before"/> (the previous
/// page's cursor), whose action starts with <see cref="ActionPrefix"/>, by <see cref="Username"/>
/// (case-insensitive), at or after <see cref="Since"/> and before <see cref="Until"/>.
/// </summary>
public sealed record AuditQuery(int Limit)
{
    public long? Before { get; init; }

    public string? ActionPrefix { get; init; }

    public string? Username { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }
}
