using ChangeTrail.Domain.Risk;

namespace ChangeTrail.Contracts;

public sealed record RiskOptionDto(string Key, string Label, int Weight);

public sealed record RiskQuestionDto(string Key, RiskDimension Dimension, string Text, IReadOnlyList<RiskOptionDto> Options);

public sealed record RiskThresholdsDto(int Medium, int High);

public sealed record QuestionnaireResponse(int Version, IReadOnlyList<RiskQuestionDto> Questions, RiskThresholdsDto Thresholds, string Rule);

public sealed record RiskDto(RiskLevel Security, RiskLevel Availability, RiskLevel Operations, RiskLevel Overall, int QuestionnaireVersion);
