namespace PushApi.Core.Ids;

/// <summary>The 3-character key prefixes of the objects PushApi serves.</summary>
public static class KeyPrefixes
{
    public const string MetadataPackage = "033";
    public const string MetadataPackageVersion = "04t";

    /// <summary>
    /// Not documented anywhere Salesforce publishes; PushApi uses 0Hf (no studied client checks it).
    /// </summary>
    public const string PackageSubscriber = "0Hf";

    public const string PackagePushRequest = "0DV";
    public const string PackagePushJob = "0DX";
    public const string PackagePushError = "0DY";
    public const string Organization = "00D";
    public const string User = "005";
    public const string ScratchOrgInfo = "2SR";

    /// <summary>An item of a package's working set (PushApi's own; no Salesforce object has items).</summary>
    public const string PackageItem = "1PI";

    /// <summary>A Bulk API job (2.0 ingest and 1.0 query alike).</summary>
    public const string BulkJob = "750";

    /// <summary>A Bulk API 1.0 batch.</summary>
    public const string BulkBatch = "751";

    /// <summary>The result of a Bulk API 1.0 query batch.</summary>
    public const string BulkResult = "752";
}
