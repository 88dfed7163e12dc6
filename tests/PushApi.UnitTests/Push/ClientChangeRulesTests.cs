using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Packages;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.UnitTests.Push;

public class ClientChangeRulesTests
{
    private const string RequestId = "0DV000000000001AAA";

    [TestCase(PushStatus.Created, PushStatus.Pending, null)]
    [TestCase(PushStatus.Created, PushStatus.Canceled, null)]
    [TestCase(PushStatus.Pending, PushStatus.Canceled, null)]
    [TestCase(PushStatus.Created, PushStatus.Created, null)]
    [TestCase(PushStatus.Pending, PushStatus.Pending, null)]
    [TestCase(PushStatus.InProgress, PushStatus.Canceled, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.Succeeded, PushStatus.Canceled, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.Failed, PushStatus.Canceled, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.Canceled, PushStatus.Canceled, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.Pending, PushStatus.Created, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.Created, PushStatus.InProgress, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.Created, PushStatus.Succeeded, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.InProgress, PushStatus.Pending, ErrorCodes.InvalidOperation)]
    [TestCase(PushStatus.Canceled, PushStatus.Pending, ErrorCodes.InvalidOperation)]
    public void A_client_may_only_schedule_or_abort_a_request_that_has_not_started(PushStatus current, PushStatus requested, string? expectedCode)
    {
        var error = ClientChangeRules.CheckRequestStatusChange(RequestId, current, requested);
        Assert.That(error?.StatusCode, Is.EqualTo(expectedCode));
        if (error is not null)
        {
            Assert.That(error.Fields, Is.EqualTo(new[] { "Status" }));
            Assert.That(error.Message, Does.Contain(RequestId).And.Contain(current.WireName()));
        }
    }

    [Test]
    public void An_abort_refusal_says_which_statuses_can_be_canceled()
    {
        var error = ClientChangeRules.CheckRequestStatusChange(RequestId, PushStatus.InProgress, PushStatus.Canceled)!;
        Assert.That(error.Message, Does.Contain("'Created' or 'Pending'"));
    }

    [TestCase(null, null)]
    [TestCase(PushStatus.Created, null)]
    [TestCase(PushStatus.Pending, ErrorCodes.FieldIntegrityException)]
    [TestCase(PushStatus.InProgress, ErrorCodes.FieldIntegrityException)]
    [TestCase(PushStatus.Succeeded, ErrorCodes.FieldIntegrityException)]
    public void Records_are_created_with_status_Created(PushStatus? requested, string? expectedCode)
    {
        foreach (var record in Enum.GetValues<PushRecord>())
        {
            Assert.That(ClientChangeRules.CheckCreateStatus(record, requested)?.StatusCode, Is.EqualTo(expectedCode), record.ToString());
        }
    }

    [Test]
    public void Job_status_is_never_client_settable()
    {
        var error = ClientChangeRules.CheckJobStatusChange();
        Assert.That(error.StatusCode, Is.EqualTo(ErrorCodes.InvalidFieldForInsertUpdate));
        Assert.That(error.Fields, Is.EqualTo(new[] { "Status" }));
    }

    [Test]
    public void The_target_version_must_exist_be_released_and_not_deprecated()
    {
        var released = new TargetVersion("04t000000000001AAA", 1, new VersionNumber(1, 0, 0, 1), ReleaseStates.Released, false);
        Assert.That(ClientChangeRules.CheckTargetVersion(released.VersionId, released), Is.Null);
        Assert.That(ClientChangeRules.CheckTargetVersion("04t000000000009AAA", null)?.StatusCode, Is.EqualTo(ErrorCodes.InvalidCrossReferenceKey));
        Assert.That(ClientChangeRules.CheckTargetVersion(released.VersionId, released with { ReleaseState = ReleaseStates.Beta })?.StatusCode, Is.EqualTo(ErrorCodes.FieldIntegrityException));
        Assert.That(ClientChangeRules.CheckTargetVersion(released.VersionId, released with { IsDeprecated = true })?.StatusCode, Is.EqualTo(ErrorCodes.FieldIntegrityException));
        Assert.That(ClientChangeRules.CheckTargetVersion(released.VersionId, released with { IsDeprecated = true })!.Fields, Is.EqualTo(new[] { "PackageVersionId" }));
    }

    [Test]
    public void Request_fields_change_only_while_the_request_is_Created()
    {
        foreach (var status in PushStatuses.All)
        {
            var error = ClientChangeRules.CheckFieldChangeWhileCreated(PushRecord.Request, "ScheduledStartTime", status);
            Assert.That(error?.StatusCode, Is.EqualTo(status == PushStatus.Created ? null : ErrorCodes.InvalidOperation), status.ToString());
        }
    }

    [Test]
    public void Unknown_and_server_owned_fields_are_refused_field_by_field()
    {
        var errors = ClientChangeRules.CheckFieldNames(
            SObjectCatalog.PackagePushRequest,
            WriteOperation.Create,
            ["packageversionid", "Bogus", "StartTime", "EndTime", "DurationSeconds", "Status", "ScheduledStartTime"]);
        Assert.That(errors.Select(e => e.StatusCode), Is.EquivalentTo(new[] { ErrorCodes.InvalidField, ErrorCodes.InvalidFieldForInsertUpdate }));
        Assert.That(errors.Single(e => e.StatusCode == ErrorCodes.InvalidField).Fields, Is.EqualTo(new[] { "Bogus" }));
        Assert.That(errors.Single(e => e.StatusCode == ErrorCodes.InvalidFieldForInsertUpdate).Fields, Is.EquivalentTo(new[] { "StartTime", "EndTime", "DurationSeconds" }));
    }

    [Test]
    public void A_job_status_is_not_updateable_but_its_org_is()
    {
        var errors = ClientChangeRules.CheckFieldNames(SObjectCatalog.PackagePushJob, WriteOperation.Update, ["Id", "Status", "SubscriberOrganizationKey"]);
        Assert.That(errors.Single().Fields, Is.EqualTo(new[] { "Status" }));
    }

    [TestCase("MetadataPackage")]
    [TestCase("MetadataPackageVersion")]
    [TestCase("PackageSubscriber")]
    [TestCase("PackagePushError")]
    public void Read_only_objects_refuse_create_and_update(string type)
    {
        var descriptor = SObjectCatalog.Find(type)!;
        Assert.That(ClientChangeRules.CheckFieldNames(descriptor, WriteOperation.Create, ["Name"]).Single().StatusCode, Is.EqualTo(ErrorCodes.InvalidTypeForOperation));
        Assert.That(ClientChangeRules.CheckFieldNames(descriptor, WriteOperation.Update, ["Name"]).Single().StatusCode, Is.EqualTo(ErrorCodes.InvalidTypeForOperation));
    }

    [Test]
    public void Required_fields_are_reported_together()
    {
        var error = ClientChangeRules.CheckRequired(SObjectCatalog.PackagePushJob, 0, (_, _) => false)!;
        Assert.That(error.StatusCode, Is.EqualTo(ErrorCodes.RequiredFieldMissing));
        Assert.That(error.Fields, Is.EquivalentTo(new[] { "PackagePushRequestId", "SubscriberOrganizationKey" }));
        Assert.That(ClientChangeRules.CheckRequired(SObjectCatalog.PackagePushJob, 0, (_, _) => true), Is.Null);
    }

    [Test]
    public void Restricted_picklists_accept_only_their_values()
    {
        var status = SObjectCatalog.PackagePushRequest.FindField("Status")!;
        Assert.That(ClientChangeRules.CheckPicklistValue(status, "pending"), Is.Null);
        var error = ClientChangeRules.CheckPicklistValue(status, "Cancelled")!;
        Assert.That(error.StatusCode, Is.EqualTo(ErrorCodes.InvalidOrNullForRestrictedPicklist));
        Assert.That(error.Fields, Is.EqualTo(new[] { "Status" }));
    }
}
