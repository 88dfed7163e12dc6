namespace PushApi.Core.Features;

/// <summary>
/// A part of the service an administrator switches on (the LongJump document: "This feature is
/// disabled, by default"). Off on a new installation; on by configuration (<see cref="EnvironmentVariable"/>),
/// by demo mode, or by the setting an administrator stored (<c>PATCH /api/v1/settings</c>).
/// </summary>
public sealed class Feature
{
    private Feature(string key, string title, string settingName, string storedKey)
    {
        Key = key;
        Title = title;
        SettingName = settingName;
        StoredKey = storedKey;
    }

    /// <summary>Deploying a version to many tenants: the native <c>/api/v1/deployments</c> API and the monitor's Deploy.</summary>
    public static Feature MassDeployment { get; } = new("MassDeployment", "Mass deployment", "massDeploymentEnabled", "mass_deployment_enabled");

    /// <summary>Importing a package from a file and installing one from a file into a tenant.</summary>
    public static Feature InstallFromFile { get; } = new("InstallFromFile", "Install from file", "installFromFileEnabled", "install_from_file_enabled");

    public static IReadOnlyList<Feature> All { get; } = [MassDeployment, InstallFromFile];

    /// <summary>Its name in configuration, under <see cref="FeatureOptions.Section"/>.</summary>
    public string Key { get; }

    /// <summary>Its name in sentences.</summary>
    public string Title { get; }

    /// <summary>Its property in <c>GET|PATCH /api/v1/settings</c>.</summary>
    public string SettingName { get; }

    /// <summary>Its name in the API where it names the switch itself (the settings' sources, a problem's <c>feature</c>).</summary>
    public string Name => char.ToLowerInvariant(Key[0]) + Key[1..];

    public string ConfigurationKey => FeatureOptions.Section + ":" + Key;

    public string EnvironmentVariable => ConfigurationKey.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Its key in the <c>settings</c> table.</summary>
    internal string StoredKey { get; }

    public override string ToString() => Key;
}

/// <summary>Why a switch is on or off.</summary>
public enum FeatureSource
{
    /// <summary>Nobody turned it on: off, as on a new installation.</summary>
    Default,

    /// <summary>An administrator's stored choice, on or off.</summary>
    Settings,

    /// <summary>Turned on by <see cref="Feature.EnvironmentVariable"/> (or its configuration key); the API cannot turn it off.</summary>
    Configuration,

    /// <summary>Turned on by demo mode; the API cannot turn it off.</summary>
    Demo,
}

/// <summary>A switch's effective value and where it comes from.</summary>
public sealed record FeatureState(Feature Feature, bool Enabled, FeatureSource Source)
{
    /// <summary>Configuration (or demo mode) turning it on wins; otherwise the stored choice; otherwise off.</summary>
    public static FeatureState Resolve(Feature feature, FeatureOptions options, bool? stored) =>
        options.TurnedOnBy(feature) is { } source ? new(feature, true, source)
        : stored is { } value ? new(feature, value, FeatureSource.Settings)
        : new(feature, false, FeatureSource.Default);
}
