using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Errors;
using PushApi.Core.Features;
using PushApi.Core.Identity;
using PushApi.Server.Audit;

namespace PushApi.Server.Admin;

/// <summary>The installation's settings: the feature switches, <c>GET|PATCH /api/v1/settings</c>.</summary>
public static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettingsEndpoints(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings");
        settings.MapGet("/", GetSettings).RequireAuthorization(Permissions.Read)
            .WithSummary("The feature switches: whether each is on, and whether configuration, demo mode, an administrator's setting or the default (off) decides it.");
        settings.MapPatch("/", UpdateSettings).RequireAuthorization(Permissions.Admin)
            .Accepts<UpdateSettingsRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Turn feature switches on or off (only the properties sent change); one that configuration turns on can't be turned off here (409).");
        return api;
    }

    private static async Task<Ok<SettingsResponse>> GetSettings(FeatureSwitches switches, CancellationToken cancellationToken) =>
        TypedResults.Ok(SettingsResponse.From(await switches.GetAllAsync(cancellationToken)));

    private static async Task<Ok<SettingsResponse>> UpdateSettings(HttpRequest request, FeatureSwitches switches, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InputException("", $"The body must be a JSON object: {e.Message}");
        }

        var changes = UpdateSettingsRequest.Parse(body);
        request.HttpContext.Audit().Detail = string.Join(", ", changes.Select(c => $"{c.Key.SettingName}={(c.Value ? "true" : "false")}"));
        var states = await switches.SetAsync(changes, request.HttpContext.User.Identity?.Name ?? "An administrator", cancellationToken);
        return TypedResults.Ok(SettingsResponse.From(states));
    }
}

/// <summary>The body of <c>PATCH /api/v1/settings</c>: the switches to change; one left out keeps its value.</summary>
public sealed record UpdateSettingsRequest(bool? MassDeploymentEnabled, bool? InstallFromFileEnabled)
{
    /// <summary>The changes a body asks for; any property that is not a switch, or not true or false, is a field error and nothing changes.</summary>
    public static IReadOnlyDictionary<Feature, bool> Parse(JsonElement body)
    {
        var names = string.Join(" and ", Feature.All.Select(f => f.SettingName));
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new InputException("", $"The body must be a JSON object, e.g. {{\"{Feature.MassDeployment.SettingName}\": true}}.");
        }

        var errors = new Dictionary<string, string[]>();
        var changes = new Dictionary<Feature, bool>();
        foreach (var property in body.EnumerateObject())
        {
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

        if (errors.Count == 0 && changes.Count == 0)
        {
            errors[""] = [$"Name at least one setting to change: {names}."];
        }

        return errors.Count > 0 ? throw new InputException(errors) : changes;
    }
}

/// <summary>Each switch's effective value, and in <see cref="Sources"/> what decides it.</summary>
public sealed record SettingsResponse(bool MassDeploymentEnabled, bool InstallFromFileEnabled, FeatureSourcesResponse Sources)
{
    public static SettingsResponse From(IReadOnlyList<FeatureState> states)
    {
        var state = states.ToDictionary(s => s.Feature);
        return new(
            state[Feature.MassDeployment].Enabled,
            state[Feature.InstallFromFile].Enabled,
            new FeatureSourcesResponse(Source(state[Feature.MassDeployment]), Source(state[Feature.InstallFromFile])));
    }

    private static string Source(FeatureState state) => state.Source.ToString().ToLowerInvariant();
}

/// <summary>Per switch: <c>configuration</c>, <c>demo</c> (both keep it on), <c>settings</c> (an administrator's choice) or <c>default</c> (off).</summary>
public sealed record FeatureSourcesResponse(string MassDeployment, string InstallFromFile);
