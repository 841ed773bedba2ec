using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Services;

/// <summary>Services a request names, by id or by name: how a change and a freeze window say which services they concern.</summary>
public static class ServiceReferences
{
    /// <summary>
    /// The services <paramref name="requested"/> names, in order; each one that names none is an error under
    /// <c>services[i]</c>. The list is counted before anything is looked up: each service named is a query.
    /// </summary>
    public static async Task<List<Service>> ResolveAsync(ChangeTrailDbContext db, IReadOnlyList<string>? requested, int max,
        ValidationErrors errors, CancellationToken cancellationToken)
    {
        var services = new List<Service>();
        requested ??= [];
        if (requested.Count > max)
        {
            errors.Add("services", $"At most {max} services.");
            return services;
        }
        for (var i = 0; i < requested.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(requested[i]))
            {
                errors.Add($"services[{i}]", "Name a service by its name or id.");
                continue;
            }
            if (requested[i].Length > Service.NameMaxLength)
            {
                errors.Add($"services[{i}]", $"At most {Service.NameMaxLength} characters.");
                continue;
            }
            var service = await FindAsync(db, requested[i], cancellationToken);
            if (service is null)
                errors.Add($"services[{i}]", $"There is no service '{requested[i]}'.");
            else
                services.Add(service);
        }
        return services;
    }

    /// <summary>The service a list's <c>service</c> filter names (by id or name), or null for none; one that names none is an error.</summary>
    public static async Task<Guid?> FilterAsync(ChangeTrailDbContext db, string? service, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (service is { Length: > Service.NameMaxLength })
        {
            errors.Add("service", $"At most {Service.NameMaxLength} characters.");
            return null;
        }
        if (string.IsNullOrWhiteSpace(service))
            return null;
        var found = await FindAsync(db, service, cancellationToken);
        if (found is null)
            errors.Add("service", $"There is no service '{service}'.");
        return found?.Id;
    }

    public static Task<Service?> FindAsync(ChangeTrailDbContext db, string idOrName, CancellationToken cancellationToken) =>
        Guid.TryParse(idOrName, out var id)
            ? db.Services.SingleOrDefaultAsync(s => s.Id == id, cancellationToken)
            : db.Services.SingleOrDefaultAsync(s => s.NormalizedName == Service.Normalize(idOrName), cancellationToken);
}
