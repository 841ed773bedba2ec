using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ChangeTrail.Persistence;

/// <summary>
/// A set of compiled queries (a class of <c>EF.CompileAsyncQuery</c> fields) per model. EF binds
/// a compiled query to the model it first ran with: a server has one, but a process may run several servers (the tests run
/// SQLite and PostgreSQL side by side), each with its own. Compiled queries skip translating the query's expression again
/// on every call; they are for the hot paths (the gate).
/// </summary>
public static class CompiledQueries
{
    public static TQueries For<TQueries>(DbContext db) where TQueries : class, new() =>
        Cache<TQueries>.ByModel.GetValue(db.Model, _ => new TQueries());

    private static class Cache<TQueries> where TQueries : class, new()
    {
        public static readonly ConditionalWeakTable<IModel, TQueries> ByModel = [];
    }
}
