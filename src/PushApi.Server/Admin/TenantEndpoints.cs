using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PushApi.Core.Errors;
using PushApi.Core.Governance.Windows;
using PushApi.Core.Identity;
using PushApi.Core.Installs;
using PushApi.Core.Tenants;

namespace PushApi.Server.Admin;

/// <summary>Tenants (subscriber orgs): create, import, list, read, change.</summary>
public static class TenantEndpoints
{
    /// <summary>An import of 100,000 rows with agents fits well below this.</summary>
    public const long MaxImportBytes = 128L * 1024 * 1024;

    public static RouteGroupBuilder MapTenantEndpoints(this RouteGroupBuilder api)
    {
        var tenants = api.MapGroup("/tenants").WithTags("Tenants");
        tenants.MapPost("/", CreateTenant).Validate<TenantInput>().RequireAuthorization(Permissions.Admin);
        tenants.MapPost("/import", ImportTenants).RequireAuthorization(Permissions.Admin)
            .Accepts<List<TenantInput>>("application/json", "text/csv")
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes))
            .WithSummary("Create or update up to 100,000 tenants from a JSON array or a CSV file, in one transaction, with a result per row.");
        tenants.MapGet("/", ListTenants).RequireAuthorization(Permissions.Read)
            .WithSummary("Tenants in org-key order with their installed packages and live exclusions; search= a part of the name (without case) or an exact org id; after=, limit= (1-2000, default 200).");
        tenants.MapGet("/{orgKey}", GetTenant).RequireAuthorization(Permissions.Read);
        tenants.MapPatch("/{orgKey}", UpdateTenant).RequireAuthorization(Permissions.Admin)
            .Accepts<TenantPatchRequest>("application/json");
        tenants.MapGet("/{orgKey}/installations", ListInstallations).RequireAuthorization(Permissions.Read);
        return api;
    }

    private static async Task<Created<TenantResponse>> CreateTenant(TenantInput request, TenantAdministration tenants, CancellationToken cancellationToken)
    {
        var tenant = await tenants.CreateAsync(request, cancellationToken);
        if (!string.IsNullOrEmpty(request.PackageVersionId))
        {
            await tenants.InstallAsync(tenant.OrgKey, request.PackageVersionId, cancellationToken);
        }

        return TypedResults.Created($"/api/v1/tenants/{tenant.OrgKey}", TenantResponse.From(tenant));
    }

    private static async Task<Ok<TenantImportResult>> ImportTenants(
        HttpRequest request,
        TenantImporter importer,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        bool? allOrNone,
        CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        IReadOnlyList<TenantInput> rows = mediaType switch
        {
            "text/csv" or "application/csv" => await TenantCsv.ReadAsync(request.Body, cancellationToken),
            "application/json" or null => await ReadJsonRowsAsync(request, json.Value.SerializerOptions, cancellationToken),
            _ => throw new InputException("", $"Send the tenants as application/json (an array) or text/csv, not {mediaType}."),
        };
        return TypedResults.Ok(await importer.ImportAsync(rows, allOrNone ?? false, cancellationToken));
    }

    private static async Task<List<TenantInput>> ReadJsonRowsAsync(HttpRequest request, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<List<TenantInput>>(request.Body, options, cancellationToken)
                ?? throw new InputException("", "The body must be a JSON array of tenants.");
        }
        catch (JsonException e)
        {
            throw new InputException("", $"The body must be a JSON array of tenants: {e.Message}");
        }
    }

    private static async Task<Ok<TenantListPage>> ListTenants(TenantDirectory directory, int? limit, string? after, string? search, CancellationToken cancellationToken)
    {
        var size = Math.Clamp(limit ?? 200, 1, 2000);
        var (items, next) = await directory.PageAsync(search, after, size, cancellationToken);
        return TypedResults.Ok(new TenantListPage([.. items.Select(TenantListRecord.From)], next));
    }

    private static async Task<Ok<TenantResponse>> GetTenant(string orgKey, TenantAdministration tenants, CancellationToken cancellationToken) =>
        TypedResults.Ok(TenantResponse.From(await tenants.GetAsync(orgKey, cancellationToken)));

    private static async Task<Ok<TenantResponse>> UpdateTenant(string orgKey, HttpRequest request, TenantAdministration tenants, CancellationToken cancellationToken)
    {
        var body = await Pipeline.NativeJson.ReadAsync(request, cancellationToken);

        var patch = TenantPatchRequest.Parse(body);
        return TypedResults.Ok(TenantResponse.From(await tenants.UpdateAsync(orgKey, patch, cancellationToken)));
    }

    private static async Task<Ok<List<InstallationResponse>>> ListInstallations(string orgKey, TenantAdministration tenants, CancellationToken cancellationToken) =>
        TypedResults.Ok((await tenants.ListInstallationsAsync(orgKey, cancellationToken)).Select(InstallationResponse.From).ToList());
}

/// <summary>
/// The body of <c>PATCH /api/v1/tenants/{orgKey}</c>: only the properties present change;
/// <c>null</c> clears instanceName, parentOrg, contactEmail, agent or maintenanceWindow.
/// </summary>
public sealed record TenantPatchRequest(string? OrgName, string? OrgType, string? OrgStatus, string? InstanceName, string? ParentOrg, string? ContactEmail, AgentInput? Agent, MaintenanceWindowInput? MaintenanceWindow = null)
{
    private static readonly string[] Known = ["orgName", "orgType", "orgStatus", "instanceName", "parentOrg", "contactEmail", "agent", "capabilities", "hasRestrictionEnabled", "maintenanceWindow"];

    private static readonly JsonSerializerOptions WindowJson = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static TenantPatch Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new InputException("", "The body must be a JSON object.");
        }

        var errors = new Dictionary<string, string[]>();
        var patch = new TenantPatch();
        foreach (var property in body.EnumerateObject())
        {
            var name = Known.FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                errors[property.Name] = [$"'{property.Name}' is not a tenant field that can be changed."];
                continue;
            }

            if (name == "agent")
            {
                patch = property.Value.ValueKind switch
                {
                    JsonValueKind.Null => patch with { Agent = FieldChange<AgentInput?>.To(null) },
                    JsonValueKind.Object => patch with { Agent = FieldChange<AgentInput?>.To(new AgentInput(Text(property.Value, "url"), Text(property.Value, "username"), Text(property.Value, "password"))) },
                    _ => Invalid(errors, "agent", "agent must be an object {url, username, password} or null.", patch),
                };
                continue;
            }

            if (name == "hasRestrictionEnabled")
            {
                patch = property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? patch with { HasRestrictionEnabled = FieldChange<bool>.To(property.Value.GetBoolean()) }
                    : Invalid(errors, name, "hasRestrictionEnabled must be true or false.", patch);
                continue;
            }

            if (name == "maintenanceWindow")
            {
                patch = Window(property.Value, patch, errors);
                continue;
            }

            if (name == "capabilities")
            {
                patch = Capabilities(property.Value, patch, errors);
                continue;
            }

            if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                errors[name] = [$"{name} must be a string or null."];
                continue;
            }

            var value = FieldChange<string?>.To(property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.GetString());
            patch = name switch
            {
                "orgName" => patch with { OrgName = value },
                "orgType" => patch with { OrgType = value },
                "orgStatus" => patch with { OrgStatus = value },
                "instanceName" => patch with { InstanceName = value },
                "contactEmail" => patch with { ContactEmail = value },
                _ => patch with { ParentOrg = value },
            };
        }

        return errors.Count > 0 ? throw new InputException(errors) : patch;
    }

    /// <summary><c>maintenanceWindow: {timeZone, days, start, end}</c>, or null for none; its values are checked when the patch is applied.</summary>
    private static TenantPatch Window(JsonElement value, TenantPatch patch, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return patch with { MaintenanceWindow = FieldChange<MaintenanceWindowInput?>.To(null) };
        }

        try
        {
            var window = value.ValueKind == JsonValueKind.Object ? value.Deserialize<MaintenanceWindowInput>(WindowJson) : null;
            return window is null
                ? Invalid(errors, "maintenanceWindow", "maintenanceWindow must be an object {timeZone, days, start, end} or null.", patch)
                : patch with { MaintenanceWindow = FieldChange<MaintenanceWindowInput?>.To(window) };
        }
        catch (JsonException e)
        {
            return Invalid(errors, "maintenanceWindow", $"maintenanceWindow must be an object {{timeZone, days: [\"Monday\", …], start: \"HH:mm\", end: \"HH:mm\"}} or null ({e.Message}).", patch);
        }
    }

    /// <summary><c>capabilities: {maxRollupSummaryFields: n | null, features: [...] | null}</c>.</summary>
    private static TenantPatch Capabilities(JsonElement value, TenantPatch patch, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return Invalid(errors, "capabilities", "capabilities must be an object {maxRollupSummaryFields, features}.", patch);
        }

        foreach (var capability in value.EnumerateObject())
        {
            if (string.Equals(capability.Name, "features", StringComparison.OrdinalIgnoreCase))
            {
                patch = Features(capability.Value, patch, errors);
            }
            else if (!string.Equals(capability.Name, "maxRollupSummaryFields", StringComparison.OrdinalIgnoreCase))
            {
                errors["capabilities." + capability.Name] = [$"'{capability.Name}' is not a tenant capability; use maxRollupSummaryFields or features."];
            }
            else if (capability.Value.ValueKind == JsonValueKind.Null)
            {
                patch = patch with { MaxRollupSummaryFields = FieldChange<int?>.To(null) };
            }
            else if (capability.Value.ValueKind == JsonValueKind.Number && capability.Value.TryGetInt32(out var max) && max >= 0)
            {
                patch = patch with { MaxRollupSummaryFields = FieldChange<int?>.To(max) };
            }
            else
            {
                errors["capabilities.maxRollupSummaryFields"] = ["capabilities.maxRollupSummaryFields must be a whole number of 0 or more, or null for no limit."];
            }
        }

        return patch;
    }

    /// <summary><c>features: ["Sites", "CRM"]</c> (the features the tenant has) or null (every feature).</summary>
    private static TenantPatch Features(JsonElement value, TenantPatch patch, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return patch with { Features = FieldChange<string[]?>.To(null) };
        }

        var names = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? TenantFeatures.Normalize(e.GetString()) : null).ToList() : null;
        if (names is null || names.Any(n => n is null))
        {
            errors["capabilities.features"] = [$"capabilities.features must be a list of features ({string.Join(", ", TenantFeatures.All)}), or null for every feature."];
            return patch;
        }

        return patch with { Features = FieldChange<string[]?>.To([.. names.Distinct().Cast<string>()]) };
    }

    private static string? Text(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
        }

        return null;
    }

    private static TenantPatch Invalid(Dictionary<string, string[]> errors, string field, string message, TenantPatch patch)
    {
        errors[field] = [message];
        return patch;
    }
}
