namespace ChangeTrail.Domain.Common;

/// <summary>The outcome of a rule: success, or the <see cref="DomainError"/> that refused it.</summary>
public readonly record struct Result(DomainError? Error)
{
    public bool IsSuccess => Error is null;

    public static Result Success => default;

    public static implicit operator Result(DomainError error) => new(error);
}

/// <summary>A value, or the <see cref="DomainError"/> that prevented it.</summary>
public readonly record struct Result<T>(T? Value, DomainError? Error)
{
    public bool IsSuccess => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(DomainError error) => new(default, error);
}
