using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// The actions one save appends to the log. They are written in the transaction that saves the actions
/// themselves, so an action without its entry, or an entry without its action, cannot be committed.
/// </summary>
/// <remarks>
/// <para>A leaf hash does not depend on the entry's position, so it is computed here, on the request's own flow,
/// before any lock or shared transaction. The tree's interior nodes are built later, in batches, by
/// <see cref="LedgerIntegrator"/>: an append writes the entries and nothing else.</para>
/// <para>The entries go in last, after the save's own changes, in one statement that also advances the log head:
/// that takes the database's lock on the head row, so concurrent writers on any number of instances append one
/// after another, in the order the database grants the lock, and the lock is held only from that statement to
/// the COMMIT. One statement carries a whole group commit's entries (<see cref="LedgerGroupCommit"/>).</para>
/// </remarks>
internal sealed class LedgerAppend
{
    /// <summary>Entries per statement: far below SQLite's and PostgreSQL's limits on parameters (7 per entry).</summary>
    private const int MaxEntriesPerStatement = 1_000;

    private readonly byte[][] _leafHashes;

    /// <param name="queued">Actions queued on the context with <see cref="ChangeTrailDbContext.Record"/>.</param>
    /// <param name="changes">Change requests whose pending events the save carries: each is one action, taken from the aggregate.</param>
    public LedgerAppend(IReadOnlyList<LedgerAction> queued, IReadOnlyList<ChangeRequest> changes)
    {
        Queued = queued;
        Changes = changes;
        Actions = [.. queued, .. changes.Select(Of)];
        _leafHashes = [.. Actions.Select(a => MerkleHash.Leaf(LedgerLeaf.Bytes(a.At, a.ActorId, a.Action, a.SubjectType, a.SubjectId, a.Record)).ToArray())];
    }

    public IReadOnlyList<LedgerAction> Actions { get; }

    /// <summary>The queued actions, which a save that did not commit queues again.</summary>
    public IReadOnlyList<LedgerAction> Queued { get; }

    /// <summary>The change requests whose events this save records; told once the save committed.</summary>
    public IReadOnlyList<ChangeRequest> Changes { get; }

    /// <summary>A change's entry: its first event since it was loaded names the action, the actor and the time.</summary>
    private static LedgerAction Of(ChangeRequest change)
    {
        var first = change.PendingEvents[0];
        return LedgerSubjects.ChangeRequest.Action(first.ActorId, first.Action, change, first.At);
    }

    /// <summary>The save committed: its aggregates' events are saved, so a later save of the same instance does not record them again.</summary>
    public void Committed()
    {
        foreach (var change in Changes)
            change.EventsSaved();
    }

    /// <summary>
    /// Appends the entries of <paramref name="appends"/>, in order, at the end of the log, in
    /// <paramref name="db"/>'s current transaction; the head row stays locked until that transaction ends.
    /// </summary>
    public static async Task WriteAsync(ChangeTrailDbContext db, IReadOnlyList<LedgerAppend> appends, CancellationToken cancellationToken)
    {
        var statement = Statements.GetOrAdd(db.GetType(), _ => new EntryStatement(db));
        var entries = appends.SelectMany(a => a.Actions.Select((action, i) => (Action: action, LeafHash: a._leafHashes[i]))).ToList();
        foreach (var chunk in entries.Chunk(MaxEntriesPerStatement))
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                ?? throw new InvalidOperationException("Ledger entries are written only inside the transaction that saves their actions.");
            statement.Bind(command, chunk);
            // PostgreSQL keeps a prepared statement per connection across the pool's close and open: it is parsed
            // and planned once per connection and batch size, not on every append.
            await command.PrepareAsync(cancellationToken);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static readonly ConcurrentDictionary<Type, EntryStatement> Statements = new();

    /// <summary>
    /// The statement that advances the head by a number of entries and inserts them after the old head: one
    /// statement on PostgreSQL (one round trip), two on SQLite (in process, and it cannot UPDATE inside a WITH).
    /// Names come from the EF model and values are bound with EF's own type mappings, so entries are stored
    /// exactly as EF stores and reads them. One per provider, its text cached per number of entries.
    /// </summary>
    private sealed class EntryStatement
    {
        /// <summary>The entry's columns after its index, and where each value comes from.</summary>
        private static readonly (string Property, Func<LedgerAction, byte[], object?> Value)[] Columns =
        [
            (nameof(LedgerEntry.At), (a, _) => a.At),
            (nameof(LedgerEntry.ActorId), (a, _) => a.ActorId),
            (nameof(LedgerEntry.Action), (a, _) => a.Action),
            (nameof(LedgerEntry.SubjectType), (a, _) => a.SubjectType),
            (nameof(LedgerEntry.SubjectId), (a, _) => a.SubjectId),
            (nameof(LedgerEntry.Record), (a, _) => a.Record),
            (nameof(LedgerEntry.LeafHash), (_, leafHash) => leafHash),
        ];

        private readonly (RelationalTypeMapping Mapping, bool Nullable)[] _bindings;
        private readonly Func<int, string> _text;
        private readonly ConcurrentDictionary<int, string> _texts = new();

        public EntryStatement(ChangeTrailDbContext db)
        {
            var entry = db.Model.FindEntityType(typeof(LedgerEntry))!;
            var entryTable = StoreObjectIdentifier.Table(entry.GetTableName()!, entry.GetSchema());
            var head = db.Model.FindEntityType(typeof(LedgerHead))!;
            var headTable = StoreObjectIdentifier.Table(head.GetTableName()!, head.GetSchema());
            string Column(IEntityType type, StoreObjectIdentifier table, string property) => Quote(type.FindProperty(property)!.GetColumnName(table)!);

            var properties = Columns.Select(c => entry.FindProperty(c.Property)!).ToList();
            _bindings = [.. properties.Select(p => (p.GetRelationalTypeMapping(), p.IsNullable))];
            var into = $"INSERT INTO {Quote(entryTable.Name)} ({Column(entry, entryTable, nameof(LedgerEntry.Index))}, "
                + string.Join(", ", Columns.Select(c => Column(entry, entryTable, c.Property))) + ")";
            var selected = string.Join(", ", Columns.Select((_, c) => $"v.column{c + 2}"));
            var size = Column(head, headTable, nameof(LedgerHead.Size));
            var thisHead = $"{Column(head, headTable, nameof(LedgerHead.Id))} = {LedgerHead.SingletonId}";
            var update = $"UPDATE {Quote(headTable.Name)} SET {size} = {size} + @count WHERE {thisHead}";
            _text = db.Database.IsNpgsql()
                ? rows => $"WITH head AS ({update} RETURNING {size} - @count AS first) {into} SELECT head.first + v.column1, {selected} FROM head, (VALUES {Values(rows)}) AS v"
                : rows => $"{update}; {into} SELECT (SELECT {size} FROM {Quote(headTable.Name)} WHERE {thisHead}) - @count + v.column1, {selected} FROM (VALUES {Values(rows)}) AS v";
        }

        /// <summary>Gives <paramref name="command"/> the text for the chunk's size and a parameter per value.</summary>
        public void Bind(DbCommand command, (LedgerAction Action, byte[] LeafHash)[] chunk)
        {
            command.CommandText = _texts.GetOrAdd(chunk.Length, _text);
            var count = command.CreateParameter();
            count.ParameterName = "@count";
            count.Value = (long)chunk.Length;
            command.Parameters.Add(count);
            for (var row = 0; row < chunk.Length; row++)
            {
                for (var c = 0; c < Columns.Length; c++)
                {
                    var (mapping, nullable) = _bindings[c];
                    command.Parameters.Add(mapping.CreateParameter(command, Name(row, c), Columns[c].Value(chunk[row].Action, chunk[row].LeafHash), nullable));
                }
            }
        }

        /// <summary>Each row: its offset from the old head (a literal: a number this code made), then its parameters.</summary>
        private static string Values(int rows) =>
            string.Join(", ", Enumerable.Range(0, rows).Select(row =>
                $"({row.ToString(CultureInfo.InvariantCulture)}, {string.Join(", ", Columns.Select((_, c) => Name(row, c)))})"));

        private static string Name(int row, int column) => string.Create(CultureInfo.InvariantCulture, $"@p{row}_{column}");

        private static string Quote(string identifier) => $"\"{identifier}\"";
    }
}
