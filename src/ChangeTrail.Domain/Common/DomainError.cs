namespace ChangeTrail.Domain.Common;

/// <summary>How a refusal maps onto the API's status codes (see "Decisions" in ARCHITECTURE.md).</summary>
public enum ErrorKind
{
    /// <summary>A well-formed request the rules refuse (422).</summary>
    Unprocessable,
    /// <summary>The role, scope or a separation-of-duties rule forbids it (403).</summary>
    Forbidden,
    /// <summary>The state does not allow it, or a race (409).</summary>
    Conflict,
    /// <summary>No such record, or one the caller may not see (404).</summary>
    NotFound,
    /// <summary>The caller's If-Match no longer matches the record's version (412).</summary>
    PreconditionFailed,
    /// <summary>The credentials given do not prove who the caller is (401).</summary>
    Unauthenticated,
    /// <summary>The server will not do it in its present condition, whoever asks (503): its ledger is inconsistent.</summary>
    Unavailable,
    /// <summary>What was sent cannot be read as what it claims to be (400): a malformed or unknown evidence file.</summary>
    Unreadable,
    /// <summary>What was sent is larger than the server accepts (413); nothing of it was kept.</summary>
    TooLarge,
}

/// <summary>
/// An expected refusal, returned as a value. <see cref="Type"/> is the stable problem type name
/// clients match on (<c>/problems/&lt;type&gt;</c>); <see cref="Detail"/> explains it in words.
/// </summary>
public abstract record DomainError(ErrorKind Kind, string Type, string Title, string Detail);

/// <summary>A refusal about particular fields of the request: problem+json names them in its <c>errors</c> member.</summary>
public interface IFieldErrors
{
    IReadOnlyDictionary<string, string[]> FieldErrors { get; }
}

/// <summary>Field-level validation failure; <see cref="Errors"/> is keyed by the request's JSON path.</summary>
public sealed record ValidationFailed(IReadOnlyDictionary<string, string[]> Errors)
    : DomainError(ErrorKind.Unprocessable, "validation-failed", "The request is not valid",
        "One or more fields are not valid: " + string.Join(", ", Errors.Keys) + "."), IFieldErrors
{
    public IReadOnlyDictionary<string, string[]> FieldErrors => Errors;

    public static ValidationFailed For(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The refusal of a text that is missing, blank or over its limit, named by its request member, or null when it is given and fits.</summary>
    public static ValidationFailed? Required(string field, string? value, int maxLength)
    {
        var errors = new ValidationErrors();
        errors.Require(field, value, maxLength);
        return errors.Any ? (ValidationFailed)errors.ToResult().Error! : null;
    }

    /// <summary>The refusal of a text over its limit, named by the request member it came in (docs/api.md, "Limits"), or null when it fits.</summary>
    public static ValidationFailed? TooLong(string field, string? value, int maxLength)
    {
        var errors = new ValidationErrors();
        errors.MaxLength(field, value, maxLength);
        return errors.Any ? (ValidationFailed)errors.ToResult().Error! : null;
    }
}

/// <summary>The record does not exist, or the caller may not see it.</summary>
public sealed record RecordNotFound(string What)
    : DomainError(ErrorKind.NotFound, "not-found", "Not found", $"{What} was not found.");

/// <summary>The caller's roles do not allow the action.</summary>
public sealed record RoleRequired(string Action, IReadOnlyList<string> Roles)
    : DomainError(ErrorKind.Forbidden, "role-required", "Role required",
        $"To {Action} you need one of these roles: {string.Join(", ", Roles)}.");

/// <summary>Someone else changed the record between this request's read and its write.</summary>
public sealed record ConcurrencyConflict(string What)
    : DomainError(ErrorKind.Conflict, "concurrency-conflict", "Changed by someone else",
        $"{What} was changed by another request at the same moment; nothing was saved. Reload it and try again.");

/// <summary>The client's If-Match names a version that is no longer current.</summary>
public sealed record VersionMismatch(string What, int Current)
    : DomainError(ErrorKind.PreconditionFailed, "precondition-failed", "The record has changed",
        $"{What} is now at version {Current}; reload it before changing it.");
