using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>
/// Policy 3.4: the automated suites (unit, integration, security) ran on the commit and passed. A suite may come in several
/// files; a file uploaded again under the same name replaces the earlier one (a re-run), and every file must pass.
/// </summary>
public sealed class SuitesMustHavePassed : IGateCondition
{
    public const string Missing = "suite-missing";
    public const string Failed = "suite-failed";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (!s.IsProduction)
            yield break;
        foreach (var kind in s.Policy.RequiredSuites)
        {
            var latest = s.Evidence.Where(e => e.Kind == kind)
                .GroupBy(e => e.FileName, StringComparer.Ordinal)
                .Select(files => files.OrderBy(e => e.UploadedAt).ThenBy(e => e.Id).Last())
                .ToList();
            var name = kind.ToString().ToLowerInvariant();
            if (latest.Count == 0)
            {
                yield return new(Missing, $"No {name} test results were uploaded for commit {s.Question.Commit}.");
                continue;
            }
            foreach (var failing in latest.Where(e => !e.Passes))
                yield return new(Failed, $"The {name} suite failed on commit {s.Question.Commit} ({failing.FileName}: {Describe(failing)}).");
        }
    }

    private static string Describe(TestEvidence e) => e.Format == Evidence.EvidenceFormat.Sarif
        ? $"{e.ErrorFindings} error, {e.WarningFindings} warning and {e.NoteFindings} note finding(s)"
        : e.Passed + e.Failed == 0
            ? "no test ran"
            : $"{e.Failed} failed, {e.Passed} passed, {e.Skipped} skipped";
}
