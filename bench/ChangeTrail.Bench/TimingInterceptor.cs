using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ChangeTrail.Bench;

/// <summary>
/// Adds up, by kind, the time spent in what EF sends to the database: opening a connection (with the app's
/// pragmas, which its own interceptor, registered first, runs on open), BEGIN, each command, COMMIT. What
/// is left of an operation's time is the app's own work plus anything sent around EF.
/// </summary>
internal sealed class TimingInterceptor : IDbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbConnection, StrongBox<long>> _opening = [];
    private readonly Dictionary<string, (long Ticks, long Count)> _totals = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public IReadOnlyDictionary<string, (long Ticks, long Count)> Totals
    {
        get
        {
            lock (_lock)
                return new Dictionary<string, (long, long)>(_totals, StringComparer.Ordinal);
        }
    }

    public void Reset()
    {
        lock (_lock)
            _totals.Clear();
    }

    private void Add(string kind, long ticks)
    {
        lock (_lock)
        {
            var (total, count) = _totals.GetValueOrDefault(kind);
            _totals[kind] = (total + ticks, count + 1);
        }
    }

    private void Add(string kind, TimeSpan duration) => Add(kind, (long)(duration.TotalSeconds * Stopwatch.Frequency));

    private static string Kind(DbCommand command)
    {
        var sql = command.CommandText.TrimStart();
        if (sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase))
            return "INSERT row (EF's batch)";
        return "other SQL via EF: " + sql[..Math.Min(30, sql.Length)].ReplaceLineEndings(" ");
    }

    public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        _opening.AddOrUpdate(connection, new StrongBox<long>(Stopwatch.GetTimestamp()));
        return ValueTask.FromResult(result);
    }

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (_opening.TryGetValue(connection, out var started))
            Add("open connection (+ the app's PRAGMAs on SQLite)", Stopwatch.GetTimestamp() - started.Value);
        return Task.CompletedTask;
    }

    public ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        Add(Kind(command), eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Add(Kind(command), eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
        CancellationToken cancellationToken = default)
    {
        Add(Kind(command), eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Add("BEGIN", eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add("COMMIT (the durable flush)", eventData.Duration);
        return Task.CompletedTask;
    }
}
