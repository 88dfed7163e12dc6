namespace PushApi.Core.Soql;

/// <summary>
/// Who runs a query: only they can follow its locator, and only an admin (<paramref name="SeesAllUsers"/>) reads every
/// row of <c>User</c>; anyone else sees their own row alone, as the root object or through a relationship
/// (<c>CreatedBy.Email</c>), so a Read user cannot list the users and their e-mails.
/// </summary>
public readonly record struct SoqlCaller(long UserId, bool SeesAllUsers)
{
    /// <summary>The service reading for itself (a deployment's target condition over PackageSubscriber).</summary>
    public static SoqlCaller Service { get; } = new(0, true);

    /// <summary>The one user whose row <c>User</c> shows, or null for every row.</summary>
    public long? UserRowScope => SeesAllUsers ? null : UserId;
}
