using System.Diagnostics.CodeAnalysis;

namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>
/// The result of reading untrusted text (a checkpoint body, a signed note, a key string):
/// either a <see cref="Value"/>, or a typed <see cref="Error"/> with a <see cref="Detail"/> in words.
/// Parsing never throws on bad input; it returns a failed outcome.
/// </summary>
public readonly record struct Outcome<TValue, TError>
    where TValue : class
    where TError : struct, Enum
{
    private Outcome(TValue? value, TError? error, string? detail)
    {
        Value = value;
        Error = error;
        Detail = detail;
    }

    public TValue? Value { get; }

    public TError? Error { get; }

    /// <summary>Why it failed, for logs and the CLI; <c>null</c> on success.</summary>
    public string? Detail { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsSuccess => Value is not null;

    internal static Outcome<TValue, TError> Success(TValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, null, null);
    }

    internal static Outcome<TValue, TError> Failure(TError error, string detail) => new(null, error, detail);

    public static implicit operator Outcome<TValue, TError>(TValue value) => Success(value);
}
