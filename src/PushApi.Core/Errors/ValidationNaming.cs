using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using FluentValidation;

namespace PushApi.Core.Errors;

/// <summary>
/// Validation errors name fields the way the native API spells them (camelCase, dotted for nested
/// objects: <c>agent.url</c>), in error keys and in messages alike.
/// </summary>
internal static class ValidationNaming
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Validators anywhere in the process must name fields the same way; this is the one place that says how.")]
    internal static void UseCamelCaseNames()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : CamelCase(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : CamelCase(member.Name);
    }

    public static string CamelCase(string name) => name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
