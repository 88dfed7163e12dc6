using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Errors;
using PushApi.Core.Features;
using PushApi.Core.Governance.Approvals;
using PushApi.Core.Identity;
using PushApi.Server.Audit;

namespace PushApi.Server.Admin;

/// <summary>The installation's settings: the feature switches and whether pushes need approval, <c>GET|PATCH /api/v1/settings</c>.</summary>
public static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettingsEndpoints(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings");
        settings.MapGet("/", GetSettings).RequireAuthorization(Permissions.Read)
            .WithSummary("The feature switches and requireApproval: whether each is on, and whether configuration, demo mode, an administrator's setting or the default (off) decides it.");
        settings.MapPatch("/", UpdateSettings).RequireAuthorization(Permissions.Admin)
            .Accepts<UpdateSettingsRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Turn feature switches or requireApproval on or off (only the properties sent change); one that configuration turns on can't be turned off here (409).");
        return api;
    }

    private static async Task<Ok<SettingsResponse>> GetSettings(FeatureSwitches switches, ApprovalSetting approval, CancellationToken cancellationToken) =>
        TypedResults.Ok(SettingsResponse.From(await switches.GetAllAsync(cancellationToken), await approval.GetAsync(cancellationToken)));

    private static async Task<Ok<SettingsResponse>> UpdateSettings(HttpRequest request, FeatureSwitches switches, ApprovalSetting approval, CancellationToken cancellationToken)
    {
        var body = await Pipeline.NativeJson.ReadAsync(request, cancellationToken);

        var changes = UpdateSettingsRequest.Parse(body);
        var changedBy = request.HttpContext.User.Identity?.Name ?? "An administrator";
        request.HttpContext.Audit().Detail = string.Join(", ", changes.Features.Select(c => $"{c.Key.SettingName}={(c.Value ? "true" : "false")}")
            .Concat(changes.RequireApproval is { } r ? [$"{UpdateSettingsRequest.RequireApprovalName}={(r ? "true" : "false")}"] : []));

        // Every change that configuration refuses is refused before anything is written.
        if (changes.RequireApproval is { } required)
        {
            approval.EnsureChangeable(required);
        }

        var states = await switches.SetAsync(changes.Features, changedBy, cancellationToken);
        var requirement = changes.RequireApproval is { } value ? await approval.SetAsync(value, changedBy, cancellationToken) : await approval.GetAsync(cancellationToken);
        return TypedResults.Ok(SettingsResponse.From(states, requirement));
    }
}

/// <summary>The changes <c>PATCH /api/v1/settings</c> asks for: switches, and whether pushes need approval (null: unchanged).</summary>
public sealed record SettingsChanges(IReadOnlyDictionary<Feature, bool> Features, bool? RequireApproval);

/// <summary>The body of <c>PATCH /api/v1/settings</c>: the settings to change; one left out keeps its value.</summary>
public sealed record UpdateSettingsRequest(bool? MassDeploymentEnabled, bool? InstallFromFileEnabled, bool? RequireApproval)
{
    public const string RequireApprovalName = "requireApproval";

    /// <summary>The changes a body asks for; any property that is not a setting, or not true or false, is a field error and nothing changes.</summary>
    public static SettingsChanges Parse(JsonElement body)
    {
        var names = string.Join(", ", Feature.All.Select(f => f.SettingName)) + " and " + RequireApprovalName;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new InputException("", $"The body must be a JSON object, e.g. {{\"{Feature.MassDeployment.SettingName}\": true}}.");
        }

        var errors = new Dictionary<string, string[]>();
        var changes = new Dictionary<Feature, bool>();
        bool? requireApproval = null;
        foreach (var property in body.EnumerateObject())
        {
            if (string.Equals(property.Name, RequireApprovalName, StringComparison.OrdinalIgnoreCase))
            {
                if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    errors[RequireApprovalName] = [$"{RequireApprovalName} must be true or false."];
                }
                else if (requireApproval is not null)
                {
                    errors[RequireApprovalName] = [$"{RequireApprovalName} is given twice."];
                }
                else
                {
                    requireApproval = property.Value.GetBoolean();
                }

                continue;
            }

            var feature = Feature.All.FirstOrDefault(f => string.Equals(f.SettingName, property.Name, StringComparison.OrdinalIgnoreCase));
            if (feature is null)
            {
                errors[property.Name] = [$"'{property.Name}' is not a setting; the settings are {names}."];
            }
            else if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors[feature.SettingName] = [$"{feature.SettingName} must be true or false."];
            }
            else if (!changes.TryAdd(feature, property.Value.GetBoolean()))
            {
                errors[feature.SettingName] = [$"{feature.SettingName} is given twice."];
            }
        }

        if (errors.Count == 0 && changes.Count == 0 && requireApproval is null)
        {
            errors[""] = [$"Name at least one setting to change: {names}."];
        }

        return errors.Count > 0 ? throw new InputException(errors) : new SettingsChanges(changes, requireApproval);
    }
}

/// <summary>Each setting's effective value, and in <see cref="Sources"/> what decides it.</summary>
public sealed record SettingsResponse(bool MassDeploymentEnabled, bool InstallFromFileEnabled, bool RequireApproval, FeatureSourcesResponse Sources)
{
    public static SettingsResponse From(IReadOnlyList<FeatureState> states, ApprovalRequirement approval)
    {
        var state = states.ToDictionary(s => s.Feature);
        return new(
            state[Feature.MassDeployment].Enabled,
            state[Feature.InstallFromFile].Enabled,
            approval.Required,
            new FeatureSourcesResponse(Source(state[Feature.MassDeployment].Source), Source(state[Feature.InstallFromFile].Source), Source(approval.Source)));
    }

    private static string Source(FeatureSource source) => source.ToString().ToLowerInvariant();
}

/// <summary>Per setting: <c>configuration</c>, <c>demo</c> (both keep it on), <c>settings</c> (an administrator's choice) or <c>default</c> (off).</summary>
public sealed record FeatureSourcesResponse(string MassDeployment, string InstallFromFile, string RequireApproval);
