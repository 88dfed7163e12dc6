using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Governance.Approvals;

namespace PushApi.UnitTests.Features;

/// <summary>The four-eyes setting: configuration that requires approval can't be undone through the API.</summary>
public class ApprovalSettingTests
{
    [Test]
    public void Configuration_that_requires_approval_refuses_turning_it_off_and_says_what_to_remove()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=pushapi-nowhere.invalid;Timeout=1");
        var setting = new ApprovalSetting(dataSource, Options.Create(new GovernanceOptions { RequireApproval = true }), NullLogger<ApprovalSetting>.Instance);
        var refusal = Assert.Throws<ConflictException>(() => setting.EnsureChangeable(false));
        Assert.That(refusal!.Message, Does.Contain("PushApi__Governance__RequireApproval").And.Contain("PushApi:Governance:RequireApproval"));
        Assert.DoesNotThrow(() => setting.EnsureChangeable(true));
    }

    [Test]
    public void Without_configuration_either_choice_is_allowed()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=pushapi-nowhere.invalid;Timeout=1");
        var setting = new ApprovalSetting(dataSource, Options.Create(new GovernanceOptions()), NullLogger<ApprovalSetting>.Instance);
        Assert.DoesNotThrow(() => setting.EnsureChangeable(false));
        Assert.DoesNotThrow(() => setting.EnsureChangeable(true));
    }
}
