using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace OpenChoreo.Store.Sqlite;

/// <summary>
/// The embedded back end: one SQLite file in WAL mode. Writes go through a single connection, one at a time (SQLite
/// has one writer anyway; serializing in-process avoids busy retries and keeps revision order = commit order), so
/// committed events are published to watchers straight from the writer. Concurrent writes share one transaction
/// (group commit, see <see cref="ExecuteWriteAsync"/>). Reads use pooled connections and see the
/// last committed state without waiting for the writer.
/// </summary>
public sealed class SqliteResourceStore : ResourceStoreBase
{
    private const string RowColumns = "kind, namespace, name, uid, revision, labels, owner_uids, data";
    private const string EventColumns = "revision, type, kind, namespace, name, labels, prev_labels, data";

    /// <summary>Most writes committed in one transaction (bounds how long one commit holds the writer).</summary>
    private const int MaxBatch = 64;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingWrite> _queue = new();
    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private readonly int _busyTimeoutMs;
    private SqliteConnection? _writer;
    private WriterCommands? _commands;
    private long _revision;
    private long _commits;
    private long _compacted;
    private bool _disposed;

    public SqliteResourceStore(IOptions<SqliteStoreOptions> options, IOptions<ResourceStoreOptions> storeOptions,
        TimeProvider time)
        : base(storeOptions.Value, time)
    {
        var o = options.Value;
        var full = System.IO.Path.GetFullPath(o.Path);
        _busyTimeoutMs = (int)o.BusyTimeout.TotalMilliseconds;
        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(o.BusyTimeout.TotalSeconds));
        _writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = timeoutSeconds,
        }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full, Mode = SqliteOpenMode.ReadWrite, Pooling = true, DefaultTimeout = timeoutSeconds,
        }.ToString();
    }

    /// <summary>Write transactions committed so far; with group commit, fewer than the writes they hold.</summary>
    public long Commits => Volatile.Read(ref _commits);

    /// <summary>Writes waiting for the writer (tests use it to make batching deterministic).</summary>
    internal int QueuedWrites => _queue.Count;

    /// <summary>Takes the writer until disposed, so writes queue up behind it (tests only).</summary>
    internal async Task<IDisposable> HoldWriterAsync(CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        return new WriterHold(_writeLock);
    }

    private sealed class WriterHold(SemaphoreSlim writeLock) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) writeLock.Release();
        }
    }

    public string DatabasePath => new SqliteConnectionStringBuilder(_writeConnectionString).DataSource;

    protected override Task InitializeAsync(CancellationToken ct)
    {
        var dir = System.IO.Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var writer = new SqliteConnection(_writeConnectionString);
        writer.Open();
        Pragma(writer, "journal_mode = WAL");
        Pragma(writer, "synchronous = NORMAL");
        Pragma(writer, $"busy_timeout = {_busyTimeoutMs}");
        SqliteSchema.Migrate(writer);
        _revision = ReadRevision(writer);
        _compacted = ReadMeta(writer, "compacted");
        _writer = writer;
        _commands = new WriterCommands(writer);
        Hub = new WatchHub(_revision);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Group commit: a write joins a queue, and whoever holds the writer runs every queued write in one transaction
    /// (one commit instead of one each). Each write still reads the current row inside that transaction (so it sees
    /// the writes queued before it), gets the next revision in queue order and is planned alone: a planner that
    /// refuses (conflict, already exists) fails only its own write. Callers learn their outcome after the commit and
    /// after their events were published, exactly as with one transaction per write.
    /// </summary>
    protected override async Task<WriteDecision> ExecuteWriteAsync(ResourceKey key, WritePlanner planner, CancellationToken ct)
    {
        var write = new PendingWrite(key, planner);
        _queue.Enqueue(write);
        try
        {
            await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (write.TryWithdraw())
        {
            throw; // withdrawn before any holder took it: it will never be written
        }
        catch (OperationCanceledException)
        {
            // A holder already took it into a batch: its outcome stands, as for a write cancelled after its commit.
            return await write.Done.Task.ConfigureAwait(false);
        }
        try
        {
            // An earlier holder may already have committed this write with its batch.
            if (!write.Done.Task.IsCompleted)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                RunQueued(write);
            }
        }
        finally
        {
            _writeLock.Release();
        }
        return await write.Done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Runs queued writes in queue order (at most <see cref="MaxBatch"/> per transaction) until <paramref name="own"/>
    /// is done; writes queued after it are left to their own callers, so no caller keeps committing for others.
    /// </summary>
    private void RunQueued(PendingWrite own)
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (!own.Done.Task.IsCompleted)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var w))
            {
                if (w.TryClaim()) batch.Add(w); // else its caller withdrew it
            }
            if (batch.Count == 0) return;
            try
            {
                CommitBatch(batch);
            }
            catch (SqliteException) when (batch.Count > 1)
            {
                // The shared transaction failed (rolled back): give each write its own, so one bad write cannot fail
                // the others and each caller gets its own error.
                foreach (var w in batch) CommitAlone(w);
            }
            catch (Exception e)
            {
                foreach (var w in batch) w.Done.TrySetException(e);
            }
        }
    }

    private void CommitAlone(PendingWrite w)
    {
        try
        {
            CommitBatch([w]);
        }
        catch (Exception e)
        {
            w.Done.TrySetException(e);
        }
    }

    /// <summary>Plans and writes <paramref name="batch"/> in one transaction, commits, publishes, then completes the callers.</summary>
    private void CommitBatch(List<PendingWrite> batch)
    {
        var c = _commands!;
        var outcomes = new (WriteDecision? Decision, Exception? Error)[batch.Count];
        var events = new List<EventRecord>(batch.Count);
        var revision = _revision;
        try
        {
            using var tx = _writer!.BeginTransaction(deferred: false);
            c.SetTransaction(tx);
            for (var i = 0; i < batch.Count; i++)
            {
                var w = batch[i];
                StoredObject? current;
                c.Select.Parameters[0].Value = w.Key.Kind;
                c.Select.Parameters[1].Value = w.Key.Namespace;
                c.Select.Parameters[2].Value = w.Key.Name;
                using (var reader = c.Select.ExecuteReader())
                {
                    current = reader.Read() ? ReadRow(reader) : null;
                }
                WriteDecision decision;
                try
                {
                    decision = w.Planner(current, revision + 1);
                }
                catch (Exception e) when (e is not SqliteException)
                {
                    // The planner writes nothing before it decides: this write fails alone.
                    outcomes[i] = (null, e);
                    continue;
                }
                outcomes[i] = (decision, null);
                if (decision.Action == WriteAction.None) continue;
                Apply(c, w.Key, decision);
                revision++;
                events.Add(decision.Event!);
            }
            if (events.Count > 0)
            {
                tx.Commit();
                _commits++;
            }
        }
        finally
        {
            c.SetTransaction(null);
        }
        _revision = revision;
        if (events.Count > 0) Hub.Publish(events);
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is { } error) batch[i].Done.TrySetException(error);
            else batch[i].Done.TrySetResult(outcomes[i].Decision!);
        }
    }

    private static void Apply(WriterCommands c, ResourceKey key, WriteDecision decision)
    {
        switch (decision.Action)
        {
            case WriteAction.Insert:
                Bind(c.Insert, decision.Row!);
                c.Insert.ExecuteNonQuery();
                break;
            case WriteAction.Update:
                Bind(c.Update, decision.Row!);
                c.Update.ExecuteNonQuery();
                break;
            case WriteAction.Delete:
                c.Delete.Parameters[0].Value = key.Kind;
                c.Delete.Parameters[1].Value = key.Namespace;
                c.Delete.Parameters[2].Value = key.Name;
                c.Delete.ExecuteNonQuery();
                break;
        }
        var e = decision.Event!;
        var p = c.InsertEvent.Parameters;
        p[0].Value = e.Revision;
        p[1].Value = (int)e.Type;
        p[2].Value = e.Key.Kind;
        p[3].Value = e.Key.Namespace;
        p[4].Value = e.Key.Name;
        p[5].Value = (object?)e.LabelsJson ?? DBNull.Value;
        p[6].Value = (object?)e.PrevLabelsJson ?? DBNull.Value;
        p[7].Value = e.Data;
        c.InsertEvent.ExecuteNonQuery();
    }

    /// <summary>A write waiting for the writer; completed (result or error) once its batch is committed.</summary>
    private sealed class PendingWrite(ResourceKey key, WritePlanner planner)
    {
        private const int Queued = 0, Claimed = 1, Withdrawn = 2;
        private int _state = Queued;

        public ResourceKey Key { get; } = key;
        public WritePlanner Planner { get; } = planner;
        public TaskCompletionSource<WriteDecision> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The writer takes it; false when its caller withdrew it first.</summary>
        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

        /// <summary>The caller gives up on it; false when the writer already took it.</summary>
        public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued;
    }

    protected override Task<StoredObject?> ReadAsync(ResourceKey key, CancellationToken ct)
    {
        using var conn = OpenReader();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {RowColumns} FROM oc_objects WHERE kind = $k AND namespace = $ns AND name = $n";
        cmd.Parameters.AddWithValue("$k", key.Kind);
        cmd.Parameters.AddWithValue("$ns", key.Namespace);
        cmd.Parameters.AddWithValue("$n", key.Name);
        using var reader = cmd.ExecuteReader();
        return Task.FromResult(reader.Read() ? ReadRow(reader) : null);
    }

    protected override Task<(IReadOnlyList<StoredObject> Rows, long Revision)> ReadManyAsync(string kind, string? ns,
        CancellationToken ct)
    {
        using var conn = OpenReader();
        // One read transaction: the revision and the rows come from the same snapshot.
        using var tx = conn.BeginTransaction(deferred: true);
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        var where = new List<string>(2);
        if (kind != ListOptions.AllKinds)
        {
            where.Add("kind = $k");
            cmd.Parameters.AddWithValue("$k", kind);
        }
        if (ns is not null)
        {
            where.Add("namespace = $ns");
            cmd.Parameters.AddWithValue("$ns", ns);
        }
        cmd.CommandText = $"SELECT {RowColumns} FROM oc_objects" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY kind, namespace, name";
        var rows = new List<StoredObject>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read()) rows.Add(ReadRow(reader));
        }
        var revision = ReadRevision(conn, tx);
        tx.Commit();
        return Task.FromResult<(IReadOnlyList<StoredObject>, long)>((rows, revision));
    }

    protected override Task<IReadOnlyList<EventRecord>> ReadEventsAsync(long after, long upTo, int limit, CancellationToken ct)
    {
        using var conn = OpenReader();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {EventColumns} FROM oc_events WHERE revision > $a AND revision <= $b ORDER BY revision LIMIT $l";
        cmd.Parameters.AddWithValue("$a", after);
        cmd.Parameters.AddWithValue("$b", upTo);
        cmd.Parameters.AddWithValue("$l", limit);
        var events = new List<EventRecord>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            events.Add(new EventRecord(reader.GetInt64(0), (WatchEventType)reader.GetInt32(1),
                new ResourceKey(reader.GetString(2), reader.GetString(3), reader.GetString(4)),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetString(7)));
        }
        return Task.FromResult<IReadOnlyList<EventRecord>>(events);
    }

    protected override Task<long> ReadCompactedRevisionAsync(CancellationToken ct) => Task.FromResult(Volatile.Read(ref _compacted));

    protected override Task<long> ReadRevisionAsync(CancellationToken ct) => Task.FromResult(Volatile.Read(ref _revision));

    protected override async Task CompactCoreAsync(long keepAfterRevision, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var target = Math.Min(keepAfterRevision, _revision);
            if (target <= _compacted) return;
            using var tx = _writer!.BeginTransaction(deferred: false);
            using var cmd = _writer.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM oc_events WHERE revision <= $r; UPDATE oc_meta SET value = $r WHERE key = 'compacted'";
            cmd.Parameters.AddWithValue("$r", target);
            cmd.ExecuteNonQuery();
            // Raised before the commit: a replaying watcher that reads after the commit must not see the old value.
            Volatile.Write(ref _compacted, target);
            tx.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    protected override Task<IReadOnlyList<StoredObject>> ReadDependentsAsync(string ownerUid, CancellationToken ct)
    {
        using var conn = OpenReader();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {RowColumns} FROM oc_objects WHERE owner_uids IS NOT NULL AND instr(owner_uids, $u) > 0";
        cmd.Parameters.AddWithValue("$u", ownerUid);
        var rows = new List<StoredObject>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var row = ReadRow(reader);
            // instr matches substrings; keep only exact uids.
            if (row.OwnerUids!.Split(' ').Contains(ownerUid)) rows.Add(row);
        }
        return Task.FromResult<IReadOnlyList<StoredObject>>(rows);
    }

    protected override Task<bool> ReadUidExistsAsync(string uid, CancellationToken ct)
    {
        using var conn = OpenReader();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM oc_objects WHERE uid = $u";
        cmd.Parameters.AddWithValue("$u", uid);
        return Task.FromResult(cmd.ExecuteScalar() is not null);
    }

    public override async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_disposed) return;
            _disposed = true;
            while (_queue.TryDequeue(out var pending)) pending.Done.TrySetException(new ObjectDisposedException(nameof(SqliteResourceStore)));
            _commands?.Dispose();
            _writer?.Dispose();
            _writer = null;
            // Pooled readers would keep the file open after the store is gone.
            using var pooled = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private SqliteConnection OpenReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var conn = new SqliteConnection(_readConnectionString);
        conn.Open();
        return conn;
    }

    private static StoredObject ReadRow(SqliteDataReader r) => new(
        new ResourceKey(r.GetString(0), r.GetString(1), r.GetString(2)),
        r.GetString(3),
        r.GetInt64(4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.GetString(7));

    private static void Bind(SqliteCommand cmd, StoredObject row)
    {
        var p = cmd.Parameters;
        p[0].Value = row.Key.Kind;
        p[1].Value = row.Key.Namespace;
        p[2].Value = row.Key.Name;
        p[3].Value = row.Uid;
        p[4].Value = row.Revision;
        p[5].Value = (object?)row.LabelsJson ?? DBNull.Value;
        p[6].Value = (object?)row.OwnerUids ?? DBNull.Value;
        p[7].Value = row.Data;
    }

    private static void Pragma(SqliteConnection conn, string pragma)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA " + pragma;
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// The current revision, derived rather than stored (one page less to write per commit): every revision above
    /// the compacted one is still an event in the log, and compaction never goes past the current revision.
    /// </summary>
    private static long ReadRevision(SqliteConnection conn, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT max((SELECT coalesce(max(revision), 0) FROM oc_events), " +
            "(SELECT value FROM oc_meta WHERE key = 'compacted'))";
        return (long)cmd.ExecuteScalar()!;
    }

    private static long ReadMeta(SqliteConnection conn, string key, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT value FROM oc_meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>The writer's statements, prepared once and reused for every write.</summary>
    private sealed class WriterCommands : IDisposable
    {
        public WriterCommands(SqliteConnection c)
        {
            Select = Make(c, $"SELECT {RowColumns} FROM oc_objects WHERE kind = $1 AND namespace = $2 AND name = $3", 3);
            Insert = Make(c, $"INSERT INTO oc_objects ({RowColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8);
            Update = Make(c, "UPDATE oc_objects SET uid = $4, revision = $5, labels = $6, owner_uids = $7, data = $8 " +
                "WHERE kind = $1 AND namespace = $2 AND name = $3", 8);
            Delete = Make(c, "DELETE FROM oc_objects WHERE kind = $1 AND namespace = $2 AND name = $3", 3);
            InsertEvent = Make(c, $"INSERT INTO oc_events ({EventColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8);
        }

        public SqliteCommand Select { get; }
        public SqliteCommand Insert { get; }
        public SqliteCommand Update { get; }
        public SqliteCommand Delete { get; }
        public SqliteCommand InsertEvent { get; }

        private IEnumerable<SqliteCommand> All => [Select, Insert, Update, Delete, InsertEvent];

        public void SetTransaction(SqliteTransaction? tx)
        {
            foreach (var c in All) c.Transaction = tx;
        }

        public void Dispose()
        {
            foreach (var c in All) c.Dispose();
        }

        private static SqliteCommand Make(SqliteConnection conn, string sql, int parameters)
        {
            var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            for (var i = 1; i <= parameters; i++) cmd.Parameters.Add(new SqliteParameter("$" + i, null));
            return cmd;
        }
    }
}
