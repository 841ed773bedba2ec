using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Services;

/// <summary>An environment a service is deployed to; production environments are the ones the gate guards.</summary>
public sealed record ServiceEnvironment(string Name, bool Production);

/// <summary>A system changes are made to, with the flags that raise its changes' approval requirements.</summary>
public sealed class Service
{
    /// <summary>The longest name of a service or of one of its environments.</summary>
    public const int NameMaxLength = 100;
    public const int RepositoryMaxLength = 500;
    public const int MaxEnvironments = 50;

    private Service() { }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>Lower-cased name: unique, and how changes and pipelines look a service up.</summary>
    public string NormalizedName { get; private set; } = "";
    public string? Repository { get; private set; }
    public bool RegulatedData { get; private set; }
    public bool SecurityControl { get; private set; }
    public List<ServiceEnvironment> Environments { get; private set; } = [];
    public DateTime CreatedAt { get; private set; }

    public ServiceProfile Profile => new(Id, Name, RegulatedData, SecurityControl);

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    public static Result<Service> Create(Guid id, string name, string? repository, bool regulatedData, bool securityControl,
        IReadOnlyList<ServiceEnvironment> environments, DateTime now)
    {
        var errors = new ValidationErrors();
        errors.Require("name", name, NameMaxLength);
        if (!string.IsNullOrEmpty(name) && !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            errors.Add("name", "Use letters, digits, '-', '_' or '.' only.");
        errors.MaxLength("repository", repository, RepositoryMaxLength);
        if (environments.Count > MaxEnvironments)
        {
            errors.Add("environments", $"At most {MaxEnvironments} environments.");
            environments = [];
        }
        environments = environments.Select(e => e with { Name = e.Name.Trim() }).ToList();
        for (var i = 0; i < environments.Count; i++)
        {
            errors.Require($"environments[{i}].name", environments[i].Name, NameMaxLength);
            if (environments.Take(i).Any(e => string.Equals(e.Name, environments[i].Name, StringComparison.OrdinalIgnoreCase)))
                errors.Add($"environments[{i}].name", "Environment names must be unique.");
        }
        if (errors.Any)
            return (ValidationFailed)errors.ToResult().Error!;

        return new Service
        {
            Id = id,
            Name = name.Trim(),
            NormalizedName = Normalize(name),
            Repository = string.IsNullOrWhiteSpace(repository) ? null : repository.Trim(),
            RegulatedData = regulatedData,
            SecurityControl = securityControl,
            Environments = environments.ToList(),
            CreatedAt = now,
        };
    }
}
