using System.Xml;
using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Evidence;

/// <summary>
/// Counts JUnit XML test cases. Suite attributes (tests, failures, errors, skipped) are ignored: tools disagree
/// on them (Surefire's skipped vs pytest's, node's nested suites), whereas every tool writes one
/// <c>&lt;testcase&gt;</c> per test. Walking elements also counts nested suites exactly once.
/// </summary>
internal static class JUnitParser
{
    /// <summary>Reads from the root element, on which <paramref name="reader"/> is positioned.</summary>
    public static async Task<Result<EvidenceSummary>> ParseAsync(XmlReader reader, CancellationToken cancellationToken)
    {
        // Only an aggregate root names the run (jest-junit: "jest tests"); a <testsuite> root's name is a class or file.
        var tool = reader.LocalName == "testsuites" ? reader.GetAttribute("name") : null;
        int passed = 0, failed = 0, skipped = 0, nodes = 0;
        var caseDepth = -1;
        var caseLine = 0;
        bool caseFailed = false, caseSkipped = false;

        do
        {
            if (++nodes % 4096 == 0)
                cancellationToken.ThrowIfCancellationRequested();

            if (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.LocalName == "testcase")
                {
                    if (caseDepth >= 0)
                        return new EvidenceUnreadable(
                            $"A <testcase> at line {LineOf(reader)} sits inside another <testcase> (line {caseLine}); JUnit test cases do not nest.");
                    if (reader.IsEmptyElement)
                        passed++;
                    else
                        (caseDepth, caseLine, caseFailed, caseSkipped) = (reader.Depth, LineOf(reader), false, false);
                }
                else if (caseDepth >= 0 && reader.Depth == caseDepth + 1)
                {
                    // node writes <skipped type="todo"> for a todo test: skipped like any other.
                    switch (reader.LocalName)
                    {
                        case "failure" or "error":
                            caseFailed = true;
                            break;
                        case "skipped":
                            caseSkipped = true;
                            break;
                    }
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == caseDepth)
            {
                // A failure outranks a skip: a test that ran and failed before skipping itself still failed.
                if (caseFailed)
                    failed++;
                else if (caseSkipped)
                    skipped++;
                else
                    passed++;
                caseDepth = -1;
            }
        }
        while (await reader.ReadAsync());

        return new EvidenceSummary(EvidenceFormat.JUnit, passed, failed, skipped, FindingCounts.Zero, [], Short(tool));
    }

    internal static int LineOf(XmlReader reader) => reader is IXmlLineInfo info ? info.LineNumber : 0;

    internal static string? Short(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : EvidenceParser.Truncate(text, EvidenceParser.MaxShortTextLength);
}
