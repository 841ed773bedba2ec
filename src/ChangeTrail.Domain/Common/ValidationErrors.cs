namespace ChangeTrail.Domain.Common;

/// <summary>Collects every field error of a request so one response names them all.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
            _errors[field] = list = [];
        list.Add(message);
    }

    public void Require(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            Add(field, "This field is required.");
        else
            MaxLength(field, value, maxLength);
    }

    public void MaxLength(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
            Add(field, $"At most {maxLength} characters.");
    }

    public Result ToResult() =>
        Any ? new ValidationFailed(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal)) : Result.Success;
}
