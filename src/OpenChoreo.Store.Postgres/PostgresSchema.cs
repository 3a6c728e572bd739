using Npgsql;

namespace OpenChoreo.Store.Postgres;

/// <summary>Creates and migrates the schema under an advisory lock, so replicas starting together migrate once.</summary>
internal static class PostgresSchema
{
    /// <summary>Arbitrary key of the advisory lock that serializes migrations.</summary>
    private const long MigrationLockKey = 0x6f63_5f73_6368_656d;

    /// <summary>Migration i brings the schema from version i to i + 1.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE oc_meta (key text PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO oc_meta (key, value) VALUES ('revision', 0), ('compacted', 0);
        CREATE TABLE oc_objects (
            kind text NOT NULL,
            namespace text NOT NULL,
            name text NOT NULL,
            uid text NOT NULL,
            revision bigint NOT NULL,
            labels text,
            owner_uids text,
            data text NOT NULL,
            PRIMARY KEY (kind, namespace, name));
        CREATE UNIQUE INDEX oc_objects_uid ON oc_objects (uid);
        CREATE INDEX oc_objects_namespace ON oc_objects (namespace);
        CREATE INDEX oc_objects_owned ON oc_objects (owner_uids) WHERE owner_uids IS NOT NULL;
        CREATE TABLE oc_events (
            revision bigint PRIMARY KEY,
            type int NOT NULL,
            kind text NOT NULL,
            namespace text NOT NULL,
            name text NOT NULL,
            labels text,
            prev_labels text,
            data text NOT NULL);
        """,
    ];

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecuteAsync(conn, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", ct);
        await ExecuteAsync(conn, "CREATE TABLE IF NOT EXISTS oc_schema (version int NOT NULL)", ct);
        await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM oc_schema", conn);
        var version = (int)(await read.ExecuteScalarAsync(ct))!;
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"the store database has schema version {version}, newer than this build supports ({Migrations.Length})");
        }
        for (var i = version; i < Migrations.Length; i++)
        {
            await ExecuteAsync(conn, Migrations[i], ct);
            await ExecuteAsync(conn, $"INSERT INTO oc_schema (version) VALUES ({i + 1})", ct);
        }
        await tx.CommitAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
