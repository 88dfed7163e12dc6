using System.Threading.RateLimiting;
using System.Xml.Linq;
using Microsoft.Extensions.Options;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Soql;
using PushApi.Server.Auth;
using PushApi.Server.Rest;

namespace PushApi.Server.Soap;

/// <summary>
/// The operations of the SOAP APIs. Each reads its request element, calls the same Core services as
/// REST (DmlService for writes, SoqlEngine for reads), and writes the response body. DML problems are
/// SaveResult errors; only problems with the call itself are faults.
/// </summary>
public sealed class SoapService(
    UserAccounts accounts,
    SessionStore sessions,
    LoginThrottle throttle,
    PublisherOrganization organization,
    DmlService dml,
    SoqlEngine soql,
    SoapRequestLimiter limiter,
    TimeProvider clock,
    IOptions<IdentityOptions> identity)
{
    public const int MaxRecordsPerCall = 200;
    public const int MaxRetrieveIds = 2000;
    public const int DefaultBatchSize = 500;

    /// <summary>Runs the call; the bytes are the whole response envelope.</summary>
    public async Task<byte[]> ExecuteAsync(HttpContext context, SoapCall call, string version, CancellationToken cancellationToken)
    {
        if (call.Operation == "login")
        {
            return await LoginAsync(context, call, version, cancellationToken);
        }

        var user = call.Headers.SessionId is { } token ? await sessions.ValidateAsync(token, cancellationToken) : null;
        if (user is null)
        {
            throw SoapFaultCodes.InvalidSession();
        }

        if (!limiter.TryAcquire(user.UserId))
        {
            throw new SoapFaultException(SoapFaultCodes.RequestLimitExceeded, "TotalRequests Limit exceeded.");
        }

        var api = call.Api;
        var body = call.Body;
        return call.Operation switch
        {
            "logout" => await LogoutAsync(api, user, cancellationToken),
            "getUserInfo" => await GetUserInfoAsync(api, user, cancellationToken),
            "getServerTimestamp" => SoapWriter.Render(api, w =>
            {
                w.Start("getServerTimestampResponse");
                w.Start("result");
                w.Element("timestamp", SoapWriter.FormatDateTime(clock.GetUtcNow()));
                w.End();
                w.End();
            }),
            "create" => await SaveAsync(call, user, WriteOperation.Create, cancellationToken),
            "update" => await SaveAsync(call, user, WriteOperation.Update, cancellationToken),
            "upsert" => Upsert(call, user),
            "delete" => Delete(call, user),
            "retrieve" => await RetrieveAsync(call, user, cancellationToken),
            "query" or "queryAll" => await QueryAsync(call, user, cancellationToken),
            "queryMore" => await QueryMoreAsync(call, user, cancellationToken),
            "describeGlobal" => Describe(api, user, "describeGlobalResponse", w => SoapDescribe.WriteGlobal(w)),
            "describeSObject" => Describe(api, user, "describeSObjectResponse", w => SoapDescribe.WriteSObject(w, FindType(Text(body, "sObjectType")))),
            "describeSObjects" => Describe(api, user, "describeSObjectsResponse", w =>
            {
                foreach (var type in Children(body, "sObjectType").Select(e => FindType(e.Value)).ToList())
                {
                    SoapDescribe.WriteSObject(w, type);
                }
            }),
            _ => throw SoapFaultException.Client($"No operation available for request {{{api.Namespace}}}{call.Operation}"),
        };
    }

    private async Task<byte[]> LoginAsync(HttpContext context, SoapCall call, string version, CancellationToken cancellationToken)
    {
        var username = Text(call.Body, "username") ?? "";
        var password = Text(call.Body, "password") ?? "";
        if (throttle.CheckAttempt(context.Connection.RemoteIpAddress?.ToString(), username.Length == 0 ? null : username) is not null)
        {
            throw new SoapFaultException(SoapFaultCodes.InvalidLogin, "Invalid username, password, security token; or user locked out. Too many login attempts: try again later.", "LoginFault");
        }

        var user = username.Length == 0 || password.Length == 0 ? null : await accounts.VerifyPasswordAsync(username, password, cancellationToken);
        if (user is null)
        {
            if (username.Length > 0)
            {
                throttle.RecordFailure(username);
            }

            throw new SoapFaultException(SoapFaultCodes.InvalidLogin, "Invalid username, password, security token; or user locked out.", "LoginFault");
        }

        throttle.RecordSuccess(username);
        var token = await sessions.CreateAsync(user.Id, null, context.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        var org = await organization.GetAsync();
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("loginResponse");
            w.Start("result");
            w.Element("metadataServerUrl", $"{baseUrl}/services/Soap/m/{version}/{org.Id.Value}");
            w.Element("passwordExpired", false);
            w.Element("sandbox", false);
            w.Element("serverUrl", $"{baseUrl}{call.Api.EndpointPath(version)}/{org.Id.Value}");
            w.Element("sessionId", token);
            w.Element("userId", user.SalesforceId);
            WriteUserInfo(w, "userInfo", user, org);
            w.End();
            w.End();
        });
    }

    private async Task<byte[]> LogoutAsync(SoapApi api, SessionUser user, CancellationToken cancellationToken)
    {
        await sessions.RevokeAsync(user.SessionId, cancellationToken);
        return SoapWriter.Render(api, w =>
        {
            w.Start("logoutResponse");
            w.End();
        });
    }

    private async Task<byte[]> GetUserInfoAsync(SoapApi api, SessionUser session, CancellationToken cancellationToken)
    {
        var user = await accounts.FindAsync(session.UserId, cancellationToken) ?? throw SoapFaultCodes.InvalidSession();
        var org = await organization.GetAsync();
        return SoapWriter.Render(api, w =>
        {
            w.Start("getUserInfoResponse");
            WriteUserInfo(w, "result", user, org);
            w.End();
        });
    }

    /// <summary>GetUserInfoResult, elements in the WSDL's (alphabetical) order.</summary>
    private void WriteUserInfo(SoapWriter w, string element, User user, OrganizationInfo org)
    {
        w.Start(element);
        w.Element("accessibilityMode", false);
        w.Element("chatterExternal", false);
        w.Element("currencySymbol", null);
        w.Element("orgAttachmentFileSizeLimit", 5242880);
        w.Element("orgDefaultCurrencyIsoCode", null);
        w.Element("orgDefaultCurrencyLocale", null);
        w.Element("orgDisallowHtmlAttachments", false);
        w.Element("orgHasPersonAccounts", false);
        w.Element("organizationId", org.Id18);
        w.Element("organizationMultiCurrency", false);
        w.Element("organizationName", org.Name);
        w.Element("profileId", null);
        w.Element("roleId", null);
        w.Element("sessionSecondsValid", (int)identity.Value.SessionIdleTimeout.TotalSeconds);
        w.Element("userDefaultCurrencyIsoCode", null);
        w.Element("userEmail", user.Email ?? user.Username);
        w.Element("userFullName", user.FullName ?? user.Username);
        w.Element("userId", user.SalesforceId);
        w.Element("userLanguage", "en_US");
        w.Element("userLocale", "en_US");
        w.Element("userName", user.Username);
        w.Element("userTimeZone", "GMT");
        w.Element("userType", "Standard");
        w.Element("userUiSkin", "Theme3");
        w.End();
    }

    private async Task<byte[]> SaveAsync(SoapCall call, SessionUser user, WriteOperation operation, CancellationToken cancellationToken)
    {
        RequireWrite(user);
        var records = Children(call.Body, "sObjects").ToList();
        if (records.Count > MaxRecordsPerCall)
        {
            throw new SoapFaultException(SoapFaultCodes.ExceededIdLimit, $"record limit reached. cannot submit more than {MaxRecordsPerCall} records into this call");
        }

        var parsed = records.Select(r => ReadSObject(call.Api, r)).ToList();
        var types = parsed.Select(p => p.Type).Distinct().ToList();
        if (types.Count > 1)
        {
            throw new SoapFaultException(SoapFaultCodes.InvalidOperation, "PushApi takes records of one object per create or update call; send " + string.Join(" and ", types.Select(t => t.Name)) + " in separate calls.");
        }

        var results = parsed.Count == 0
            ? []
            : operation == WriteOperation.Create
                ? await dml.CreateAsync(types[0], [.. parsed.Select(p => p.Fields)], call.Headers.AllOrNone, user.UserId, cancellationToken)
                : await dml.UpdateAsync(types[0], [.. parsed.Select(p => p.Fields)], call.Headers.AllOrNone, cancellationToken);
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start(operation == WriteOperation.Create ? "createResponse" : "updateResponse");
            foreach (var result in results)
            {
                w.WriteSaveResult(result);
            }

            w.End();
        });
    }

    /// <summary>Upsert needs an external id field, and no push object has one: every record fails, and says so.</summary>
    private static byte[] Upsert(SoapCall call, SessionUser user)
    {
        RequireWrite(user);
        var records = Children(call.Body, "sObjects").ToList();
        if (records.Count > MaxRecordsPerCall)
        {
            throw new SoapFaultException(SoapFaultCodes.ExceededIdLimit, $"record limit reached. cannot submit more than {MaxRecordsPerCall} records into this call");
        }

        var field = Text(call.Body, "externalIDFieldName") ?? "";
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("upsertResponse");
            foreach (var _ in records)
            {
                w.WriteUpsertResult(SaveResult.Failed([new SaveError(
                    ErrorCodes.InvalidOperation,
                    $"upsert is not available for push objects (no external id field, '{field}' included); use create to add records and update to change them")]));
            }

            w.End();
        });
    }

    /// <summary>No push object can be deleted: a DeleteResult error per id.</summary>
    private static byte[] Delete(SoapCall call, SessionUser user)
    {
        RequireWrite(user);
        var ids = Children(call.Body, "ids").Select(e => e.Value.Trim()).ToList();
        if (ids.Count > MaxRecordsPerCall)
        {
            throw new SoapFaultException(SoapFaultCodes.ExceededIdLimit, $"record limit reached. cannot submit more than {MaxRecordsPerCall} records into this call");
        }

        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("deleteResponse");
            foreach (var id in ids)
            {
                var type = SalesforceId.TryParse(id, out var parsed) ? SObjectCatalog.FindByKeyPrefix(parsed.Prefix) : null;
                w.WriteSaveResult(SaveResult.Failed([type is null
                    ? new SaveError(ErrorCodes.MalformedId, $"malformed id {id}")
                    : new SaveError("CANNOT_DELETE_ENTITY", $"entity type {type.Name} cannot be deleted")]));
            }

            w.End();
        });
    }

    private async Task<byte[]> RetrieveAsync(SoapCall call, SessionUser user, CancellationToken cancellationToken)
    {
        RequireRead(user);
        var type = FindType(Text(call.Body, "sObjectType"));
        var ids = Children(call.Body, "ids").Select(e => e.Value.Trim()).ToList();
        if (ids.Count > MaxRetrieveIds)
        {
            throw new SoapFaultException(SoapFaultCodes.ExceededIdLimit, $"Too many ids: {ids.Count}; retrieve takes at most {MaxRetrieveIds}.");
        }

        if (ids.FirstOrDefault(id => !SalesforceId.TryParse(id, out _)) is { } malformed)
        {
            throw new SoapFaultException(SoapFaultCodes.MalformedId, $"malformed id {malformed}", "InvalidIdFault");
        }

        var fieldList = (Text(call.Body, "fieldList") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (fieldList.Length == 0)
        {
            throw SoapFaultCodes.Query(SoapFaultCodes.MalformedQuery, "fieldList is empty: name the fields to retrieve", 0, 0);
        }

        IReadOnlyList<SoqlRecord?> records;
        try
        {
            records = await soql.RetrieveAsync(type, ids, fieldList, user.UserId, cancellationToken);
        }
        catch (SoqlException e)
        {
            throw SoapFaultCodes.Query(e.ErrorCode, e.Message, e.Row, e.Column);
        }

        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("retrieveResponse");
            foreach (var record in records)
            {
                if (record is null)
                {
                    w.Nil("result", call.Api.Namespace);
                }
                else
                {
                    w.WriteRecord("result", call.Api.Namespace, record);
                }
            }

            w.End();
        });
    }

    private async Task<byte[]> QueryAsync(SoapCall call, SessionUser user, CancellationToken cancellationToken)
    {
        RequireRead(user);
        var statement = Text(call.Body, "queryString") ?? throw SoapFaultCodes.Query(SoapFaultCodes.MalformedQuery, "queryString is missing", 0, 0);
        var batchSize = Math.Clamp(call.Headers.BatchSize ?? DefaultBatchSize, SoqlEngine.MinBatchSize, SoqlEngine.MaxBatchSize);
        var result = await RunQueryAsync(() => soql.QueryAsync(statement, user.UserId, batchSize, cancellationToken));
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start(call.Operation + "Response");
            w.WriteQueryResult(result);
            w.End();
        });
    }

    private async Task<byte[]> QueryMoreAsync(SoapCall call, SessionUser user, CancellationToken cancellationToken)
    {
        RequireRead(user);
        var locator = Text(call.Body, "queryLocator") ?? "";
        var result = await RunQueryAsync(() => soql.QueryMoreAsync(locator, user.UserId, cancellationToken));
        return SoapWriter.Render(call.Api, w =>
        {
            w.Start("queryMoreResponse");
            w.WriteQueryResult(result);
            w.End();
        });
    }

    private static async Task<SoqlResult> RunQueryAsync(Func<Task<SoqlResult>> query)
    {
        try
        {
            return await query();
        }
        catch (SoqlException e)
        {
            throw SoapFaultCodes.Query(e.ErrorCode, e.Message, e.Row, e.Column);
        }
    }

    private static byte[] Describe(SoapApi api, SessionUser user, string response, Action<SoapWriter> write)
    {
        RequireRead(user);
        return SoapWriter.Render(api, w =>
        {
            w.Start(response);
            write(w);
            w.End();
        });
    }

    /// <summary>An sObject of a create or update: its type (xsi:type, or the partner API's type element) and its fields as text; fieldsToNull become nulls.</summary>
    private static (SObjectDescriptor Type, Dictionary<string, object?> Fields) ReadSObject(SoapApi api, XElement element)
    {
        string? typeName;
        if (api.Typed)
        {
            var xsiType = element.Attribute(XName.Get("type", SoapApi.XsiNamespace))?.Value;
            typeName = xsiType is null ? null : xsiType.Contains(':', StringComparison.Ordinal) ? xsiType[(xsiType.IndexOf(':', StringComparison.Ordinal) + 1)..] : xsiType;
        }
        else
        {
            typeName = element.Elements().FirstOrDefault(e => e.Name.LocalName == "type")?.Value.Trim();
        }

        if (string.IsNullOrEmpty(typeName))
        {
            throw new SoapFaultException(SoapFaultCodes.InvalidType, "Must send a concrete entity type.", "InvalidSObjectFault");
        }

        var type = FindType(typeName);
        var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in element.Elements())
        {
            var name = child.Name.LocalName;
            if (!api.Typed && name == "type")
            {
                continue;
            }

            if (name == "fieldsToNull")
            {
                fields[child.Value.Trim()] = null;
                continue;
            }

            if (child.HasElements)
            {
                throw SoapFaultException.Client($"The field {name} of {type.Name} holds elements; fields take text values.");
            }

            var nil = child.Attribute(XName.Get("nil", SoapApi.XsiNamespace))?.Value is "true" or "1";
            fields[name] = nil ? null : child.Value;
        }

        return (type, fields);
    }

    private static SObjectDescriptor FindType(string? name) =>
        (name is null ? null : SObjectCatalog.Find(name.Trim()))
        ?? throw new SoapFaultException(SoapFaultCodes.InvalidType, $"sObject type '{name}' is not supported.", "InvalidSObjectFault");

    private static void RequireRead(SessionUser user)
    {
        if (!user.Has(Permissions.Read))
        {
            throw new SoapFaultException(SoapFaultCodes.InsufficientAccess, "Insufficient access: this user can't read push data (needs Read).");
        }
    }

    private static void RequireWrite(SessionUser user)
    {
        if (!user.Has(Permissions.PushUpgrade))
        {
            throw new SoapFaultException(SoapFaultCodes.InsufficientAccess, "Insufficient access: this user can't change push requests and jobs (needs PushUpgrade).");
        }
    }

    private static IEnumerable<XElement> Children(XElement parent, string localName) =>
        parent.Elements().Where(e => e.Name.LocalName == localName);

    private static string? Text(XElement parent, string localName) => Children(parent, localName).FirstOrDefault()?.Value;
}

/// <summary>
/// The per-user request limit on the SOAP endpoints (the REST limiter's settings,
/// <c>PushApi:RateLimit</c>): token buckets keyed by user.
/// </summary>
public sealed class SoapRequestLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<long> _limiter;

    public SoapRequestLimiter(IOptions<RateLimitOptions> options)
    {
        var settings = options.Value;
        _limiter = PartitionedRateLimiter.Create<long, long>(user => RateLimitPartition.GetTokenBucketLimiter(user, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public bool TryAcquire(long userId)
    {
        using var lease = _limiter.AttemptAcquire(userId);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
