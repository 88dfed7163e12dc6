namespace PushApi.Core.Features;

/// <summary>
/// Switches turned on by configuration (section <c>PushApi:Features</c>, environment
/// <c>PushApi__Features__MassDeployment=true</c>). A switch on here is on whatever the stored setting says.
/// </summary>
public sealed class FeatureOptions
{
    public const string Section = "PushApi:Features";

    /// <summary>The setting that turns demo mode on (and with it every switch).</summary>
    public const string DemoModeVariable = "PushApi__Demo__Subscribers";

    public bool MassDeployment { get; set; }

    public bool InstallFromFile { get; set; }

    /// <summary>Demo mode (<see cref="DemoModeVariable"/> above 0) turns every switch on; the host sets this from the demo settings.</summary>
    public bool DemoMode { get; set; }

    /// <summary>What turns the switch on regardless of the stored setting (configuration, else demo mode), or null.</summary>
    public FeatureSource? TurnedOnBy(Feature feature)
    {
        if (IsConfiguredOn(feature))
        {
            return FeatureSource.Configuration;
        }

        return DemoMode ? FeatureSource.Demo : null;
    }

    private bool IsConfiguredOn(Feature feature) => feature.Key switch
    {
        nameof(MassDeployment) => MassDeployment,
        nameof(InstallFromFile) => InstallFromFile,
        _ => throw new ArgumentOutOfRangeException(nameof(feature), feature.Key, "A feature without a configuration property."),
    };
}
