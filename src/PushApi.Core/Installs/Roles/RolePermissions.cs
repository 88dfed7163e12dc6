using System.Text.Json.Nodes;

namespace PushApi.Core.Installs.Roles;

/// <summary>
/// A role's permissions as a Role definition holds them — <c>{"permissions": {"objects": {"Invoice": ["create", "view"]},
/// "administrative": ["manageUsers"]}}</c> — and what an install does with them ("Permissions Considerations"): only
/// the permissions for the package's own objects and the administrative ones are carried over; <c>merge</c> unites
/// them with the tenant role's, <c>override</c> replaces the tenant role's definition, <c>ignore</c> leaves it.
/// </summary>
public static class RolePermissions
{
    /// <summary>What a role named in <c>grantRoles</c> gets on each of the package's objects: create, delete and view of its own records, view of its team's.</summary>
    public static readonly IReadOnlyList<string> Granted = ["create", "delete", "view", "viewTeam"];

    /// <summary>The packaged role's definition with only the permissions an install carries over.</summary>
    public static JsonObject CarriedOver(JsonObject packaged, IReadOnlySet<string> packageObjects)
    {
        var copy = (JsonObject)packaged.DeepClone();
        if (copy["permissions"] is JsonObject permissions && permissions["objects"] is JsonObject objects)
        {
            foreach (var name in objects.Select(o => o.Key).Where(n => !packageObjects.Contains(n)).ToList())
            {
                objects.Remove(name);
            }
        }

        return copy;
    }

    /// <summary>The tenant role after a packaged role (already <see cref="CarriedOver"/>) is applied in <paramref name="mode"/>.</summary>
    public static JsonObject Apply(JsonObject existing, JsonObject carried, string mode) => mode switch
    {
        RolesModes.Override => (JsonObject)carried.DeepClone(),
        RolesModes.Ignore => existing,
        _ => Merge(existing, Objects(carried), Administrative(carried)),
    };

    /// <summary>The tenant role with <see cref="Granted"/> on each of <paramref name="packageObjects"/>.</summary>
    public static JsonObject Grant(JsonObject existing, IEnumerable<string> packageObjects) =>
        Merge(existing, packageObjects.ToDictionary(o => o, _ => Granted, StringComparer.OrdinalIgnoreCase), []);

    private static JsonObject Merge(JsonObject existing, IReadOnlyDictionary<string, IReadOnlyList<string>> objects, List<string> administrative)
    {
        var result = (JsonObject)existing.DeepClone();
        var permissions = Child(result, "permissions");
        var target = Child(permissions, "objects");
        foreach (var (name, granted) in objects)
        {
            var key = target.Select(o => o.Key).FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? name;
            target[key] = Union(target[key], granted);
        }

        if (administrative.Count > 0 || permissions["administrative"] is not null)
        {
            permissions["administrative"] = Union(permissions["administrative"], administrative);
        }

        return result;
    }

    /// <summary>The object under <paramref name="name"/>, made (replacing anything else there) when missing.</summary>
    private static JsonObject Child(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject child)
        {
            return child;
        }

        var made = new JsonObject();
        parent[name] = made;
        return made;
    }

    private static JsonArray Union(JsonNode? existing, IEnumerable<string> added)
    {
        var names = Strings(existing).ToList();
        foreach (var name in added.Where(a => !names.Contains(a, StringComparer.OrdinalIgnoreCase)))
        {
            names.Add(name);
        }

        return [.. names.Select(n => (JsonNode)JsonValue.Create(n))];
    }

    private static Dictionary<string, IReadOnlyList<string>> Objects(JsonObject role) =>
        role["permissions"] is JsonObject permissions && permissions["objects"] is JsonObject objects
            ? objects.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)[.. Strings(o.Value)], StringComparer.OrdinalIgnoreCase)
            : [];

    private static List<string> Administrative(JsonObject role) =>
        role["permissions"] is JsonObject permissions ? [.. Strings(permissions["administrative"])] : [];

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null).OfType<string>() : [];
}
