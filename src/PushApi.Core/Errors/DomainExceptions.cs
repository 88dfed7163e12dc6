namespace PushApi.Core.Errors;

/// <summary>The record asked for does not exist (native API: 404).</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException()
    {
    }

    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The write would break a uniqueness rule: a namespace, org key, version number or username in use (native API: 409).</summary>
public sealed class ConflictException : Exception
{
    public ConflictException()
    {
    }

    public ConflictException(string message)
        : base(message)
    {
    }

    public ConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A conflict with a code a script can test (e.g. <c>LOCKED</c>), shown as the problem's <c>errorCode</c>.</summary>
    public ConflictException(string message, string errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public string? ErrorCode { get; }
}

/// <summary>Input that passed shape validation but breaks a rule that needs the database (native API: 400 with field errors).</summary>
public sealed class InputException : Exception
{
    public InputException()
        : this(new Dictionary<string, string[]>())
    {
    }

    public InputException(string message)
        : this("", message)
    {
    }

    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = new Dictionary<string, string[]> { [""] = [message] };
    }

    public InputException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public InputException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", errors.SelectMany(e => e.Value)))
    {
        Errors = errors;
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>
/// The request is well formed but breaks a rule of the domain, each problem named (native API: 422 with
/// every problem listed): a package that fails its criteria, a circular dependency between packages.
/// </summary>
public sealed class RuleViolationException : Exception
{
    public RuleViolationException()
        : this("The request breaks a rule.", [])
    {
    }

    public RuleViolationException(string message)
        : this(message, [])
    {
    }

    public RuleViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [];
    }

    public RuleViolationException(string message, IReadOnlyList<RuleProblem> problems)
        : base(message)
    {
        Problems = problems;
    }

    public IReadOnlyList<RuleProblem> Problems { get; }
}

/// <summary>One broken rule: its id, a sentence a person reads, and the item concerned (type and name) if any.</summary>
public sealed record RuleProblem(string Rule, string Message, string? ItemType = null, string? ItemName = null);
