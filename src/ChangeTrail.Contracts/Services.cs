using System.Text.Json.Serialization;

namespace ChangeTrail.Contracts;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EnvironmentDto(string Name, bool Production);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateServiceRequest(
    string Name,
    string? Repository,
    bool RegulatedData,
    bool SecurityControl,
    IReadOnlyList<EnvironmentDto>? Environments);

public sealed record ServiceResponse(
    Guid Id,
    string Name,
    string? Repository,
    bool RegulatedData,
    bool SecurityControl,
    IReadOnlyList<EnvironmentDto> Environments);
