using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Templates;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>How a caller names a template: its id, or its name (<c>routine-patching</c>).</summary>
public static class TemplateLookup
{
    public static Task<ChangeTemplate?> FindAsync(IQueryable<ChangeTemplate> templates, string idOrName, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(idOrName, out var id))
            return templates.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        // Names are lower-case (ChangeTemplate.IsName): a name asked in another case finds the same template.
        var name = idOrName.Trim().ToLowerInvariant();
        return templates.SingleOrDefaultAsync(t => t.Name == name, cancellationToken);
    }

    public static RecordNotFound NotFound(string idOrName) => new($"Template {idOrName}");
}
