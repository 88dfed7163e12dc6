using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;

namespace PushApi.Core.Packages.Contents;

/// <summary>
/// A package's working set: add, change and remove its items, and read them with everything they pull in.
/// Each change holds the package row, so it sees the set as the change leaves it (and publishing waits).
/// Published versions are snapshots and never change; only the working set does.
/// </summary>
public sealed class PackageItems(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>With the manifest, a package ZIP holds at most 10,000 entries.</summary>
    public const int MaxItems = 9_999;

    public async Task<PackageItemView> AddAsync(string packageId, ItemInput input, CancellationToken cancellationToken)
    {
        var errors = input.Check();
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        var added = new ItemRef(ItemTypes.Normalize(input.Type)!, input.Name!);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PackageRows.LockAsync(connection, package, packageId, cancellationToken);
        await InsertAsync(connection, package, [input], clock.Now(), cancellationToken);
        var views = Views(await WorkingSetStore.LoadAsync(connection, package, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return views.First(v => v.Ref.Matches(added));
    }

    public async Task<IReadOnlyList<PackageItemView>> ListAsync(string packageId, CancellationToken cancellationToken)
    {
        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await PackageRows.EnsureExistsAsync(connection, package, packageId, cancellationToken);
        return Views(await WorkingSetStore.LoadAsync(connection, package, cancellationToken));
    }

    public async Task<PackageItemView> UpdateAsync(string packageId, string itemId, JsonElement? definition, ItemOptions? options, CancellationToken cancellationToken)
    {
        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        var id = PackageAdministration.ParseOrThrowNotFound(itemId, KeyPrefixes.PackageItem, "package item");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PackageRows.LockAsync(connection, package, packageId, cancellationToken);
        var item = (await WorkingSetStore.LoadAsync(connection, package, cancellationToken)).FirstOrDefault(i => i.Id == id)
            ?? throw new NotFoundException($"Package {packageId} has no item {itemId}.");
        var errors = new ItemInput(item.Item.Ref.Type, item.Item.Ref.Name, definition ?? item.Item.Definition, options).Check();
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        await using (var update = new NpgsqlCommand(
            """
            UPDATE package_items
            SET definition = coalesce($3::json, definition), checked_out = coalesce($4, checked_out),
                include_child_teams = coalesce($5, include_child_teams), selected = coalesce($6, selected), system_modstamp = $7
            WHERE id = $1 AND package_id = $2
            """, connection))
        {
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = package });
            update.Parameters.Add(new() { Value = definition is { } d ? d.GetRawText() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            update.Parameters.Add(Flag(options?.CheckedOut));
            update.Parameters.Add(Flag(options?.IncludeChildTeams));
            update.Parameters.Add(Flag(options?.Selected));
            update.Parameters.Add(new() { Value = clock.Now() });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        var views = await RemoveOrphansAsync(connection, package, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return views.FirstOrDefault(v => v.Id == SalesforceId.Format(KeyPrefixes.PackageItem, id))
            ?? throw new NotFoundException($"Package {packageId} has no item {itemId} any more: nothing pulls it in, so it went with the change.");
    }

    public async Task RemoveAsync(string packageId, string itemId, CancellationToken cancellationToken)
    {
        var package = PackageAdministration.ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        var id = PackageAdministration.ParseOrThrowNotFound(itemId, KeyPrefixes.PackageItem, "package item");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PackageRows.LockAsync(connection, package, packageId, cancellationToken);
        if (await DeleteAsync(connection, package, [id], cancellationToken) == 0)
        {
            throw new NotFoundException($"Package {packageId} has no item {itemId}.");
        }

        await RemoveOrphansAsync(connection, package, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Stores checked items in one statement, so a refusal (a name already used) writes none of them. An item that
    /// the set (with the new items) already pulls in is stored as that dependent's definition, not as selected,
    /// unless its options say selected. The caller holds the package row, so the limit is counted under the lock.
    /// </summary>
    public static async Task InsertAsync(NpgsqlConnection connection, long package, IReadOnlyList<ItemInput> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var duplicate = items.GroupBy(i => (ItemTypes.Normalize(i.Type), i.Name!.ToUpperInvariant())).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InputException("name", $"{duplicate.Key.Item1} {duplicate.First().Name} is named twice.");
        }

        var selected = await SelectionAsync(connection, package, items, cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO package_items (package_id, type, name, definition, checked_out, include_child_teams, selected, created_at, system_modstamp)
            SELECT $1, t.type, t.name, t.definition::json, t.checked_out, t.include_child_teams, t.selected, $8, $8
            FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::boolean[], $7::boolean[])
                 AS t (type, name, definition, checked_out, include_child_teams, selected)
            WHERE (SELECT count(*) FROM package_items WHERE package_id = $1) + cardinality($2::text[]) <= $9
            """, connection);
        command.Parameters.Add(new() { Value = package });
        command.Parameters.Add(new() { Value = items.Select(i => ItemTypes.Normalize(i.Type)!).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Name!).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Definition!.Value.GetRawText()).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Options?.CheckedOut ?? false).ToArray() });
        command.Parameters.Add(new() { Value = items.Select(i => i.Options?.IncludeChildTeams ?? false).ToArray() });
        command.Parameters.Add(new() { Value = selected });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = MaxItems });
        try
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken) != items.Count)
            {
                throw new ConflictException($"A package holds at most {MaxItems:N0} items.");
            }
        }
        catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e, "package_items_name_key"))
        {
            throw new InputException("name", "An item of that type and name is already in this package (names are unique per type, without case).");
        }
    }

    /// <summary>
    /// For each new item: selected, unless its options say otherwise, or it is added on its own while the package
    /// already pulls it in (then it gives that dependent its definition). Items sent together are all chosen by the
    /// client, so they are selected (they may pull each other in, in a circle).
    /// </summary>
    private static async Task<bool[]> SelectionAsync(NpgsqlConnection connection, long package, IReadOnlyList<ItemInput> items, CancellationToken cancellationToken)
    {
        if (items.Count != 1 || items[0].Options?.Selected is not null)
        {
            return items.Select(i => i.Options?.Selected ?? true).ToArray();
        }

        var added = new ItemRef(ItemTypes.Normalize(items[0].Type)!, items[0].Name!);
        var resolved = WorkingSetStore.Resolve(await WorkingSetStore.LoadAsync(connection, package, cancellationToken));
        return [!resolved.Any(r => r.Ref.Matches(added) && r.IncludedBy.Count > 0)];
    }

    private static async Task<IReadOnlyList<PackageItemView>> RemoveOrphansAsync(NpgsqlConnection connection, long package, CancellationToken cancellationToken)
    {
        var stored = await WorkingSetStore.LoadAsync(connection, package, cancellationToken);
        var resolved = WorkingSetStore.Resolve(stored);
        var orphans = WorkingSetStore.Orphans(stored, resolved);
        if (orphans.Count == 0)
        {
            return Views(stored, resolved);
        }

        await DeleteAsync(connection, package, orphans, cancellationToken);
        var remaining = stored.Where(s => !orphans.Contains(s.Id)).ToList();
        return Views(remaining, WorkingSetStore.Resolve(remaining));
    }

    private static async Task<int> DeleteAsync(NpgsqlConnection connection, long package, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand("DELETE FROM package_items WHERE package_id = $1 AND id = ANY($2)", connection);
        delete.Parameters.Add(new() { Value = package });
        delete.Parameters.Add(new() { Value = ids.ToArray() });
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Flag(bool? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Boolean };

    private static List<PackageItemView> Views(IReadOnlyList<StoredItem> stored) => Views(stored, WorkingSetStore.Resolve(stored));

    private static List<PackageItemView> Views(IReadOnlyList<StoredItem> stored, IReadOnlyList<IncludedItem> resolved)
    {
        var ids = stored.ToDictionary(s => (s.Item.Ref.Type, s.Item.Ref.Name.ToUpperInvariant()), s => s.Id);
        return resolved
            .Select(i => new PackageItemView(
                ids.TryGetValue((i.Ref.Type, i.Ref.Name.ToUpperInvariant()), out var id) ? SalesforceId.Format(KeyPrefixes.PackageItem, id) : null,
                i.Ref.Type,
                i.Ref.Name,
                i.Item.Definition,
                i.Selected,
                i.IncludedBy,
                i.Item.CheckedOut,
                i.Item.IncludeChildTeams))
            .ToList();
    }
}

/// <summary>
/// An item as the API shows it. <see cref="Id"/> is null for an item only pulled in by others that has no
/// definition yet; <see cref="IncludedBy"/> names the items that pulled it in; <see cref="Selected"/> says it
/// was chosen for itself (it stays when what pulled it in goes).
/// </summary>
public sealed record PackageItemView(
    string? Id,
    string Type,
    string Name,
    JsonElement? Definition,
    bool Selected,
    IReadOnlyList<ItemRef> IncludedBy,
    bool CheckedOut,
    bool IncludeChildTeams)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public ItemRef Ref => new(Type, Name);
}
