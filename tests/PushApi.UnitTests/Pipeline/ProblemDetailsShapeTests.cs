using PushApi.Core.Errors;
using PushApi.Core.Packages.Distribution;
using PushApi.Server.Pipeline;

namespace PushApi.UnitTests.Pipeline;

/// <summary>The native API's error table: each domain exception lands on its status and title.</summary>
public class ProblemDetailsShapeTests
{
    [Test]
    public void A_refused_package_file_is_a_400_that_lists_its_problems()
    {
        var refusal = new ArchiveRejectedException(
        [
            new ArchiveProblem(ArchiveProblemCodes.PathTraversal, "../evil.json", "The name climbs out of the archive with a '..' segment."),
            new ArchiveProblem(ArchiveProblemCodes.ManifestMissing, null, "The file has no manifest.json at its root."),
        ]);

        var problem = ProblemDetailsShape.ToProblem(refusal);

        Assert.That(problem.Status, Is.EqualTo(400));
        Assert.That(problem.Title, Is.EqualTo("Invalid package file"));
        Assert.That(problem.Detail, Is.EqualTo(refusal.Message));
        Assert.That(problem.Extensions["problems"], Is.EqualTo(new[]
        {
            new Dictionary<string, string?> { ["code"] = "path_traversal", ["entry"] = "../evil.json", ["message"] = "The name climbs out of the archive with a '..' segment." },
            new Dictionary<string, string?> { ["code"] = "manifest_missing", ["entry"] = null, ["message"] = "The file has no manifest.json at its root." },
        }));
    }

    [Test]
    public void A_refused_self_approval_is_a_403_with_its_message_and_code()
    {
        var problem = ProblemDetailsShape.ToProblem(new ForbiddenException("You asked for it yourself.", "SELF_APPROVAL"));
        Assert.That((problem.Status, problem.Detail, problem.Extensions["errorCode"]), Is.EqualTo((403, "You asked for it yourself.", (object?)"SELF_APPROVAL")));
    }

    [TestCase(typeof(NotFoundException), 404)]
    [TestCase(typeof(ConflictException), 409)]
    [TestCase(typeof(ForbiddenException), 403)]
    [TestCase(typeof(InputException), 400)]
    [TestCase(typeof(InvalidOperationException), 500)]
    public void Each_domain_exception_has_its_status(Type exception, int status) =>
        Assert.That(ProblemDetailsShape.ToProblem((Exception)Activator.CreateInstance(exception, "why")!).Status, Is.EqualTo(status));
}
