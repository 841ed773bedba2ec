using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Users;

/// <summary>
/// GET and PUT /users/me/notifications: which workflow notifications reach the caller by email. Every event is on until
/// the person turns it off; a choice is theirs alone, so any identity reads and sets its own, and nobody else's.
/// </summary>
public static class NotificationPreferences
{
    /// <summary>Who may set their choices: the PUT's policy, which the page /account/notifications checks too before <see cref="SetAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access = EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite);

    public static void Map(RouteGroupBuilder users)
    {
        users.MapGet("/me/notifications", GetAsync).RequireAccess(Scopes.ChangesRead).WithName("GetNotificationPreferences")
            .WithSummary("Which workflow notifications reach me by email");
        users.MapPut("/me/notifications", PutAsync).RequireAuthorization(Access).WithName("SetNotificationPreferences")
            .WithSummary("Turn workflow notifications by email on or off, by event type");
    }

    private static async Task<Ok<NotificationPreferencesResponse>> GetAsync(ClaimsPrincipal user, ChangeTrailDbContext db,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await ExecuteAsync(user.UserIdOf(), db, cancellationToken));

    private static async Task<Results<Ok<NotificationPreferencesResponse>, ProblemHttpResult>> PutAsync(NotificationPreferencesRequest body,
        ClaimsPrincipal user, ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var result = await SetAsync(user.UserIdOf(), body.Email ?? new Dictionary<string, bool>(), db, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(await ExecuteAsync(user.UserIdOf(), db, cancellationToken)) : Problems.From(result.Error!);
    }

    public static async Task<NotificationPreferencesResponse> ExecuteAsync(Guid userId, ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var off = await db.NotificationPreferences.AsNoTracking().Where(p => p.UserId == userId && !p.Email)
            .Select(p => p.EventType).ToListAsync(cancellationToken);
        return new(WorkflowNotification.All.Select(type => new NotificationEventPreference(type, !off.Contains(type))).ToList());
    }

    public static async Task<Result> SetAsync(Guid userId, IReadOnlyDictionary<string, bool> email, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        foreach (var type in email.Keys.Where(t => !WorkflowNotification.All.Contains(t)))
            errors.Add($"email.{type}", $"There is no notification event '{type}'. The events: {string.Join(", ", WorkflowNotification.All)}.");
        if (errors.Any)
            return errors.ToResult();

        var types = email.Keys.ToList();
        var stored = await db.NotificationPreferences.Where(p => p.UserId == userId && types.Contains(p.EventType)).ToListAsync(cancellationToken);
        foreach (var (type, on) in email)
        {
            if (stored.Find(p => p.EventType == type) is { } preference)
                preference.Email = on;
            else
                db.NotificationPreferences.Add(new NotificationPreference { UserId = userId, EventType = type, Email = on });
        }
        await db.SaveChangesAsync(cancellationToken);
        return Result.Success;
    }
}
