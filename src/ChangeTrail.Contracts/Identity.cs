using System.Text.Json.Serialization;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Contracts;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SetupRequest(string Email, string DisplayName, string Password, string SetupCode);

public sealed record SetupResponse(Guid UserId, string Token);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateUserRequest(string Email, string DisplayName, IReadOnlyList<Role>? Roles, string? Password);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateServiceAccountRequest(string Name, IReadOnlyList<Role>? Roles);

public sealed record CreatedResponse(Guid Id);

/// <summary>
/// A person added without a password gets a one-time invitation instead: the link, shown once, where they choose their
/// own password (valid until <see cref="InvitationExpiresAt"/>).
/// </summary>
public sealed record CreatedUserResponse(Guid Id, string? InvitationUrl, DateTime? InvitationExpiresAt);

/// <summary>POST /users/{id}/invitation: a new one-time link (the earlier one stops working).</summary>
public sealed record InvitationResponse(string InvitationUrl, DateTime InvitationExpiresAt);

/// <param name="Password">Whether a person has chosen their own password yet; null for a service account, which has none.</param>
/// <param name="InvitationExpiresAt">Until when the person's open invitation link works, if they have one.</param>
public sealed record UserResponse(
    Guid Id,
    string Email,
    string DisplayName,
    string Kind,
    IReadOnlyList<Role> Roles,
    bool Active,
    DateTime CreatedAt,
    DateTime? DeactivatedAt,
    DateTime? LastSignInAt,
    IReadOnlyList<TokenResponse> Tokens,
    PasswordState? Password = null,
    DateTime? InvitationExpiresAt = null);

/// <summary>
/// A person's password: <see cref="Invited"/> (none yet: they were given an invitation link), <see cref="Temporary"/> (one an
/// Admin set, to be replaced at first sign-in), or <see cref="Own"/> (chosen by them, known to nobody else).
/// </summary>
public enum PasswordState
{
    Invited,
    Temporary,
    Own,
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTokenRequest(string Name, IReadOnlyList<string>? Scopes, DateTime? ExpiresAt);

/// <summary>
/// POST /auth/tokens: a person proves who they are with their password and gets a token of their own, the only API path
/// to a personal scope such as <c>changes:approve</c>. <see cref="NewPassword"/> replaces a temporary password set by an Admin.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PersonalTokenRequest(string Email, string Password, string Name, IReadOnlyList<string>? Scopes, DateTime? ExpiresAt,
    string? NewPassword = null);

/// <summary>The token secret appears here once and never again.</summary>
public sealed record CreatedTokenResponse(Guid Id, string Token, string Name, IReadOnlyList<string> Scopes, DateTime? ExpiresAt);

/// <param name="CreatedById">Who created it: the owner, or (for tokens an Admin made) someone else.</param>
/// <param name="PersonallyIssued">The owner made it by proving who they are; only such a token may hold a personal scope.</param>
public sealed record TokenResponse(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTime CreatedAt,
    DateTime? ExpiresAt,
    DateTime? RevokedAt,
    DateTime? LastUsedAt,
    Guid CreatedById,
    bool PersonallyIssued);

/// <summary>PUT /users/{id}/roles: the identity's complete set of roles afterwards.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChangeRolesRequest(IReadOnlyList<Role>? Roles);
