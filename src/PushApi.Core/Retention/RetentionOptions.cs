namespace PushApi.Core.Retention;

/// <summary>How long the jobs and errors of finished push requests stay in the engine's tables (<c>PushApi:Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "PushApi:Retention";

    /// <summary>False: nothing is moved or removed.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A finished request's jobs leave once it ended longer ago than this.</summary>
    public TimeSpan Age { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Jobs moved per transaction: small, so each one holds its locks for milliseconds.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>How often an instance looks for requests to purge (it also runs once at start-up).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Why the options can't be used, or null.</summary>
    public string? Problem() =>
        Age <= TimeSpan.Zero ? $"{Section}:Age must be positive, not {Age}."
        : BatchSize is < 1 or > 100_000 ? $"{Section}:BatchSize must be from 1 to 100000, not {BatchSize}."
        : Interval <= TimeSpan.Zero ? $"{Section}:Interval must be positive, not {Interval}."
        : null;
}
