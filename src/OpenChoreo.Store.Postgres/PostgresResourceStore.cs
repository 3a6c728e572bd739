using System.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace OpenChoreo.Store.Postgres;

/// <summary>
/// The PostgreSQL back end; any number of control-plane processes may share one database.
/// <para>Revisions: every write transaction first takes a transaction-scoped advisory lock, then reads the revision
/// counter; the lock is held until commit, so revision N+1 is assigned only after N has committed and the event log
/// becomes visible in revision order. A tailer that has seen N therefore never misses a later-committing N−1.</para>
/// <para>Watch: one tailer per process reads the event log after the last revision it published and fans out to
/// local watchers. Writers NOTIFY on commit (LISTEN wakes tailers in every process at once); a poll every
/// <see cref="PostgresStoreOptions.PollInterval"/> covers lost notifications and LISTEN reconnects.</para>
/// <para>Multi-host connection strings: everything (reads too, for read-your-writes consistency) goes to the
/// primary; <c>Target Session Attributes</c> in the string is ignored. Commands always run on connections opened
/// from the primary-targeted data source.</para>
/// </summary>
public sealed class PostgresResourceStore : ResourceStoreBase
{
    /// <summary>Arbitrary key of the advisory lock that serializes writes (and so orders revisions).</summary>
    private const long RevisionLockKey = 0x6f63_5f72_6576_6973;
    private const string RowColumns = "kind, namespace, name, uid, revision, labels, owner_uids, data";
    private const string EventColumns = "revision, type, kind, namespace, name, labels, prev_labels, data";

    private readonly PostgresStoreOptions _options;
    private readonly ILogger<PostgresResourceStore> _logger;
    private readonly TimeProvider _time;
    private readonly NpgsqlMultiHostDataSource _root;
    private readonly NpgsqlDataSource _primary;
    private readonly NpgsqlDataSource _listenSource;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly string _notifySql;
    private Task _tailer = Task.CompletedTask;
    private Task _listener = Task.CompletedTask;

    public PostgresResourceStore(IOptions<PostgresStoreOptions> options, IOptions<ResourceStoreOptions> storeOptions,
        TimeProvider time, ILogger<PostgresResourceStore> logger)
        : base(storeOptions.Value, time)
    {
        _options = options.Value;
        _logger = logger;
        _time = time;
        var csb = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        // The data source picks the session target itself (always the primary); the string must not fix one.
        csb.Remove("Target Session Attributes");
        _root = new NpgsqlDataSourceBuilder(csb.ConnectionString).BuildMultiHost();
        _primary = _root.WithTargetSession(TargetSessionAttributes.Primary);
        // LISTEN holds a connection for good: keep it out of the pool writers use.
        var listen = new NpgsqlConnectionStringBuilder(csb.ConnectionString) { Pooling = false, KeepAlive = 30 };
        _listenSource = new NpgsqlDataSourceBuilder(listen.ConnectionString).BuildMultiHost()
            .WithTargetSession(TargetSessionAttributes.Primary);
        _notifySql = $"SELECT pg_notify('{_options.NotifyChannel}', $1::text)";
    }

    protected override async Task InitializeAsync(CancellationToken ct)
    {
        await PostgresSchema.MigrateAsync(_primary, ct);
        await using (var conn = await _primary.OpenConnectionAsync(ct))
        {
            Hub = new WatchHub(await ReadMetaAsync(conn, "revision", ct));
        }
        _listener = Task.Run(() => ListenLoopAsync(_stopping.Token), CancellationToken.None);
        _tailer = Task.Run(() => TailLoopAsync(_stopping.Token), CancellationToken.None);
    }

    protected override async Task<WriteDecision> ExecuteWriteAsync(ResourceKey key, WritePlanner planner, CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        StoredObject? current = null;
        long revision;
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({RevisionLockKey})"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT value FROM oc_meta WHERE key = 'revision'"));
            var select = new NpgsqlBatchCommand(
                $"SELECT {RowColumns} FROM oc_objects WHERE kind = $1 AND namespace = $2 AND name = $3");
            AddKey(select.Parameters, key);
            batch.BatchCommands.Add(select);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            revision = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct)) current = ReadRow(reader);
        }

        var next = revision + 1;
        var decision = planner(current, next);
        if (decision.Action == WriteAction.None)
        {
            await tx.RollbackAsync(ct);
            return decision;
        }

        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            var row = decision.Row;
            var write = decision.Action switch
            {
                WriteAction.Insert => new NpgsqlBatchCommand(
                    $"INSERT INTO oc_objects ({RowColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
                WriteAction.Update => new NpgsqlBatchCommand(
                    "UPDATE oc_objects SET uid = $4, revision = $5, labels = $6, owner_uids = $7, data = $8 " +
                    "WHERE kind = $1 AND namespace = $2 AND name = $3"),
                _ => new NpgsqlBatchCommand("DELETE FROM oc_objects WHERE kind = $1 AND namespace = $2 AND name = $3"),
            };
            AddKey(write.Parameters, key);
            if (row is not null)
            {
                write.Parameters.Add(Text(row.Uid));
                write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Revision });
                write.Parameters.Add(Text(row.LabelsJson));
                write.Parameters.Add(Text(row.OwnerUids));
                write.Parameters.Add(Text(row.Data));
            }
            batch.BatchCommands.Add(write);

            var e = decision.Event!;
            var insertEvent = new NpgsqlBatchCommand(
                $"INSERT INTO oc_events ({EventColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
            insertEvent.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.Revision });
            insertEvent.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)e.Type });
            AddKey(insertEvent.Parameters, e.Key);
            insertEvent.Parameters.Add(Text(e.LabelsJson));
            insertEvent.Parameters.Add(Text(e.PrevLabelsJson));
            insertEvent.Parameters.Add(Text(e.Data));
            batch.BatchCommands.Add(insertEvent);

            var bump = new NpgsqlBatchCommand("UPDATE oc_meta SET value = $1 WHERE key = 'revision'");
            bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
            batch.BatchCommands.Add(bump);

            // Delivered at commit, to every process LISTENing (this one included).
            var notify = new NpgsqlBatchCommand(_notifySql);
            notify.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
            batch.BatchCommands.Add(notify);
            await batch.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        Wake();
        return decision;
    }

    protected override async Task<StoredObject?> ReadAsync(ResourceKey key, CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"SELECT {RowColumns} FROM oc_objects WHERE kind = $1 AND namespace = $2 AND name = $3", conn);
        AddKey(cmd.Parameters, key);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadRow(reader) : null;
    }

    protected override async Task<(IReadOnlyList<StoredObject> Rows, long Revision)> ReadManyAsync(string kind,
        string? ns, CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        // One snapshot for the revision and the rows.
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT value FROM oc_meta WHERE key = 'revision'"));
        var select = new NpgsqlBatchCommand();
        var where = new List<string>(2);
        if (kind != ListOptions.AllKinds)
        {
            select.Parameters.Add(Text(kind));
            where.Add($"kind = ${select.Parameters.Count}");
        }
        if (ns is not null)
        {
            select.Parameters.Add(Text(ns));
            where.Add($"namespace = ${select.Parameters.Count}");
        }
        select.CommandText = $"SELECT {RowColumns} FROM oc_objects" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY kind, namespace, name";
        batch.BatchCommands.Add(select);
        var rows = new List<StoredObject>();
        long revision;
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            revision = reader.GetInt64(0);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(ReadRow(reader));
        }
        await tx.CommitAsync(ct);
        return (rows, revision);
    }

    protected override async Task<IReadOnlyList<EventRecord>> ReadEventsAsync(long after, long upTo, int limit,
        CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"SELECT {EventColumns} FROM oc_events WHERE revision > $1 AND revision <= $2 ORDER BY revision LIMIT $3", conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upTo });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var events = new List<EventRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(new EventRecord(reader.GetInt64(0), (WatchEventType)reader.GetInt32(1),
                new ResourceKey(reader.GetString(2), reader.GetString(3), reader.GetString(4)),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7)));
        }
        return events;
    }

    protected override async Task<long> ReadCompactedRevisionAsync(CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        return await ReadMetaAsync(conn, "compacted", ct);
    }

    protected override async Task<long> ReadRevisionAsync(CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        return await ReadMetaAsync(conn, "revision", ct);
    }

    protected override async Task CompactCoreAsync(long keepAfterRevision, CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        // Never past the current revision; never backwards. Raising the mark and dropping events commit together.
        var raise = new NpgsqlBatchCommand(
            "UPDATE oc_meta SET value = greatest(value, least($1, (SELECT value FROM oc_meta WHERE key = 'revision'))) " +
            "WHERE key = 'compacted'");
        raise.Parameters.Add(new NpgsqlParameter<long> { TypedValue = keepAfterRevision });
        batch.BatchCommands.Add(raise);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "DELETE FROM oc_events WHERE revision <= (SELECT value FROM oc_meta WHERE key = 'compacted')"));
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    protected override async Task<IReadOnlyList<StoredObject>> ReadDependentsAsync(string ownerUid, CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"SELECT {RowColumns} FROM oc_objects WHERE owner_uids IS NOT NULL AND strpos(owner_uids, $1) > 0", conn);
        cmd.Parameters.Add(Text(ownerUid));
        var rows = new List<StoredObject>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = ReadRow(reader);
            if (row.OwnerUids!.Split(' ').Contains(ownerUid)) rows.Add(row);
        }
        return rows;
    }

    protected override async Task<bool> ReadUidExistsAsync(string uid, CancellationToken ct)
    {
        await using var conn = await _primary.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM oc_objects WHERE uid = $1", conn);
        cmd.Parameters.Add(Text(uid));
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_tailer, _listener);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        await _listenSource.DisposeAsync();
        await _root.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>Publishes committed events to local watchers, in revision order, as they appear in the log.</summary>
    private async Task TailLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var events = await ReadEventsAsync(Hub.LastPublished, long.MaxValue, Options.ReplayPageSize, ct);
                if (events.Count > 0) Hub.Publish(events);
                if (events.Count == Options.ReplayPageSize) continue;
                await _wake.WaitAsync(_options.PollInterval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                PostgresLog.TailerFailed(_logger, ex);
                try
                {
                    await Task.Delay(_options.PollInterval, _time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListenLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await _listenSource.OpenConnectionAsync(ct);
                conn.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {_options.NotifyChannel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                Wake(); // catch up on anything committed while not listening
                while (true) await conn.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                PostgresLog.ListenLost(_logger, ex);
                try
                {
                    await Task.Delay(_options.PollInterval, _time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake.
            }
        }
    }

    private static async Task<long> ReadMetaAsync(NpgsqlConnection conn, string key, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT value FROM oc_meta WHERE key = $1", conn);
        cmd.Parameters.Add(Text(key));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static void AddKey(NpgsqlParameterCollection p, ResourceKey key)
    {
        p.Add(Text(key.Kind));
        p.Add(Text(key.Namespace));
        p.Add(Text(key.Name));
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static StoredObject ReadRow(NpgsqlDataReader r) => new(
        new ResourceKey(r.GetString(0), r.GetString(1), r.GetString(2)),
        r.GetString(3),
        r.GetInt64(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.GetString(7));
}
