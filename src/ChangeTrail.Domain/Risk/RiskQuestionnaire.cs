using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Risk;

/// <summary>One answer a requestor may give, with the weight it adds to its question's dimension.</summary>
public sealed record RiskOption(string Key, string Label, int Weight);

/// <summary>One question of the questionnaire; its answer's weight counts towards <see cref="Dimension"/>.</summary>
public sealed record RiskQuestion(string Key, RiskDimension Dimension, string Text, IReadOnlyList<RiskOption> Options);

/// <summary>A dimension's score reaches Medium at <see cref="Medium"/> and High at <see cref="High"/>.</summary>
public sealed record RiskThresholds(int Medium, int High)
{
    public RiskLevel LevelOf(int score) => score >= High ? RiskLevel.High : score >= Medium ? RiskLevel.Medium : RiskLevel.Low;
}

/// <summary>
/// The risk questionnaire of policy 3.2: questions scored in three dimensions, each Low/Medium/High by
/// thresholds; the overall risk is the highest dimension. A change touching regulated data or a
/// security control is at least Medium on security, whatever the answers say.
/// </summary>
public sealed record RiskQuestionnaire(int Version, IReadOnlyList<RiskQuestion> Questions, RiskThresholds Thresholds)
{
    /// <summary>The longest question or option key an answer may give; a key names itself in an error's field.</summary>
    public const int KeyMaxLength = 100;

    /// <summary>
    /// Checks that every answer names a known question and one of its options: at most one answer per question, so the
    /// answers are bounded by <see cref="Questions"/>' count (docs/api.md, "Limits").
    /// </summary>
    public void Validate(IReadOnlyDictionary<string, string> answers, ValidationErrors errors, string fieldPrefix = "riskAnswers")
    {
        if (answers.Count > Questions.Count)
        {
            errors.Add(fieldPrefix, $"At most {Questions.Count} answers, one per question.");
            return;
        }
        foreach (var (questionKey, optionKey) in answers)
        {
            var question = Questions.FirstOrDefault(q => q.Key == questionKey);
            if (questionKey.Length > KeyMaxLength)
                errors.Add(fieldPrefix, $"A question key has at most {KeyMaxLength} characters.");
            else if (optionKey is { Length: > KeyMaxLength })
                errors.Add($"{fieldPrefix}.{questionKey}", $"An answer has at most {KeyMaxLength} characters.");
            else if (question is null)
                errors.Add($"{fieldPrefix}.{questionKey}", "There is no such risk question.");
            else if (question.Options.All(o => o.Key != optionKey))
                errors.Add($"{fieldPrefix}.{questionKey}",
                    $"Answer with one of: {string.Join(", ", question.Options.Select(o => o.Key))}.");
        }
    }

    /// <summary>The questions still unanswered, by key.</summary>
    public IReadOnlyList<string> Unanswered(IReadOnlyDictionary<string, string> answers) =>
        Questions.Where(q => !answers.ContainsKey(q.Key)).Select(q => q.Key).ToList();

    /// <summary>Scores valid answers; unanswered questions count as zero until submit requires them.</summary>
    public RiskAssessment Assess(IReadOnlyDictionary<string, string> answers, bool touchesRegulatedDataOrSecurityControl)
    {
        int Score(RiskDimension dimension) => Questions
            .Where(q => q.Dimension == dimension && answers.ContainsKey(q.Key))
            .Sum(q => q.Options.FirstOrDefault(o => o.Key == answers[q.Key])?.Weight ?? 0);

        var security = Thresholds.LevelOf(Score(RiskDimension.Security));
        if (touchesRegulatedDataOrSecurityControl && security < RiskLevel.Medium)
            security = RiskLevel.Medium;
        return new RiskAssessment(
            security,
            Thresholds.LevelOf(Score(RiskDimension.Availability)),
            Thresholds.LevelOf(Score(RiskDimension.Operations)),
            Version,
            touchesRegulatedDataOrSecurityControl);
    }
}

/// <summary>
/// The assessed risk by dimension, the questionnaire version it was assessed with, and whether the change touches a
/// service holding regulated data or a security control (which lifts security to at least Medium and calls for
/// Security Team sign-off).
/// </summary>
public sealed record RiskAssessment(RiskLevel Security, RiskLevel Availability, RiskLevel Operations, int QuestionnaireVersion,
    bool TouchesRegulatedDataOrSecurityControl = false)
{
    /// <summary>The highest of the three dimensions.</summary>
    public RiskLevel Overall
    {
        get => (RiskLevel)Math.Max((int)Security, Math.Max((int)Availability, (int)Operations));
        // The database keeps it in a column of its own, so lists filter and sort on it in SQL. The value it reads back is
        // always this one, so loading has nothing to set: the accessor only lets the mapping read the column.
        private init { }
    }
}
