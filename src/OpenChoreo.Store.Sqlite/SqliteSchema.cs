using Microsoft.Data.Sqlite;

namespace OpenChoreo.Store.Sqlite;

/// <summary>Creates and migrates the schema; <c>oc_schema</c> records the version reached.</summary>
internal static class SqliteSchema
{
    /// <summary>Migration i brings the schema from version i to i + 1.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE oc_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO oc_meta (key, value) VALUES ('compacted', 0);
        CREATE TABLE oc_objects (
            kind TEXT NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            uid TEXT NOT NULL,
            revision INTEGER NOT NULL,
            labels TEXT,
            owner_uids TEXT,
            data TEXT NOT NULL);
        CREATE UNIQUE INDEX oc_objects_key ON oc_objects (kind, namespace, name);
        CREATE UNIQUE INDEX oc_objects_uid ON oc_objects (uid);
        CREATE INDEX oc_objects_namespace ON oc_objects (namespace);
        CREATE INDEX oc_objects_owned ON oc_objects (owner_uids) WHERE owner_uids IS NOT NULL;
        CREATE TABLE oc_events (
            revision INTEGER PRIMARY KEY,
            type INTEGER NOT NULL,
            kind TEXT NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            labels TEXT,
            prev_labels TEXT,
            data TEXT NOT NULL);
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    public static void Migrate(SqliteConnection connection)
    {
        Execute(connection, null, "CREATE TABLE IF NOT EXISTS oc_schema (version INTEGER NOT NULL)");
        using var tx = connection.BeginTransaction(deferred: false);
        using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT max(version) FROM oc_schema";
            var version = read.ExecuteScalar() is long v ? (int)v : 0;
            if (version > Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"the store database has schema version {version}, newer than this build supports ({Migrations.Length})");
            }
            for (var i = version; i < Migrations.Length; i++)
            {
                Execute(connection, tx, Migrations[i]);
                Execute(connection, tx, $"INSERT INTO oc_schema (version) VALUES ({i + 1})");
            }
        }
        tx.Commit();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
