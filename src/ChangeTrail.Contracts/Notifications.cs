using System.Text.Json.Serialization;

namespace ChangeTrail.Contracts;

/// <summary>GET /users/me/notifications: every workflow event, and whether it reaches the caller by email.</summary>
public sealed record NotificationPreferencesResponse(IReadOnlyList<NotificationEventPreference> Events);

/// <param name="Type">The event type, e.g. <c>approval.requested</c>, as the webhooks' <c>type</c> names it.</param>
/// <param name="Email">Whether it is emailed to the caller (when they are among the people it concerns); on unless turned off.</param>
public sealed record NotificationEventPreference(string Type, bool Email);

/// <summary>PUT /users/me/notifications: the events to turn on or off by email, e.g. <c>{"email": {"approval.requested": false}}</c>; the others stay as they are.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NotificationPreferencesRequest(IReadOnlyDictionary<string, bool>? Email);
