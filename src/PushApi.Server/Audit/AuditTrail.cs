namespace PushApi.Server.Audit;

/// <summary>
/// What an endpoint adds to the audit entry of its call: the pipeline fills in method, path, status,
/// user and address; an endpoint names the action when the route does not (a SOAP operation, a
/// login), the user a login tried, or says the call is a read that needs no entry. A request feature.
/// </summary>
public sealed class AuditTrail
{
    /// <summary>Replaces the default action, <c>METHOD route-template</c>.</summary>
    public string? Action { get; set; }

    /// <summary>Who the call acted as when no session says so: the name a login tried, the user it logged in.</summary>
    public string? Username { get; set; }

    public long? UserId { get; set; }

    /// <summary>A short id of what the call changed, when the route does not hold it.</summary>
    public string? Target { get; set; }

    /// <summary>A short note without secrets: why a login failed, which settings changed.</summary>
    public string? Detail { get; set; }

    /// <summary>The call turned out to change nothing (a SOAP query): no entry.</summary>
    public bool Skip { get; set; }
}

/// <summary>Endpoint metadata: a POST that only reads (a retrieve by ids) and needs no audit entry.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false)]
public sealed class NotAuditedAttribute : Attribute;

public static class AuditTrailExtensions
{
    /// <summary>The audit trail of this call; a detached one when the pipeline records none (a test host without the middleware).</summary>
    public static AuditTrail Audit(this HttpContext context) => context.Features.Get<AuditTrail>() ?? new AuditTrail();

    /// <summary>The endpoints only read: calls to them get no audit entry.</summary>
    public static TBuilder NotAudited<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new NotAuditedAttribute());
}

/// <summary>The actions of login entries, whichever front end the login came through.</summary>
public static class LoginAudit
{
    public const string Succeeded = "login.succeeded";
    public const string Failed = "login.failed";
}
