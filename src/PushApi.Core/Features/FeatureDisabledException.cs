namespace PushApi.Core.Features;

/// <summary>The request belongs to a feature that is switched off (native API: 403 <c>FEATURE_DISABLED</c>, saying how to turn it on).</summary>
public sealed class FeatureDisabledException(Feature feature)
    : Exception($"{feature.Title} is turned off on this installation.")
{
    public Feature Feature { get; } = feature;
}
