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
    IReadOnlyList<TokenResponse> Tokens);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTokenRequest(string Name, IReadOnlyList<string>? Scopes, DateTime? ExpiresAt);

/// <summary>The token secret appears here once and never again.</summary>
public sealed record CreatedTokenResponse(Guid Id, string Token, string Name, IReadOnlyList<string> Scopes, DateTime? ExpiresAt);

public sealed record TokenResponse(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTime CreatedAt,
    DateTime? ExpiresAt,
    DateTime? RevokedAt,
    DateTime? LastUsedAt);

/// <summary>PUT /users/{id}/roles: the identity's complete set of roles afterwards.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChangeRolesRequest(IReadOnlyList<Role>? Roles);
