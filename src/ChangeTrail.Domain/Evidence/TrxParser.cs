using System.Xml;
using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Evidence;

/// <summary>Counts the <c>UnitTestResult</c> elements of a TRX file (what <c>dotnet test</c> writes) by outcome.</summary>
internal static class TrxParser
{
    private const string Namespace = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    /// <summary>Reads from the <c>TestRun</c> root element, on which <paramref name="reader"/> is positioned.</summary>
    public static async Task<Result<EvidenceSummary>> ParseAsync(XmlReader reader, CancellationToken cancellationToken)
    {
        var tool = reader.GetAttribute("name");
        int passed = 0, failed = 0, skipped = 0, nodes = 0;
        // A data-driven MSTest result nests its rows' results under InnerResults: count the outer one only,
        // as its outcome already sums them up.
        var resultDepth = -1;

        do
        {
            if (++nodes % 4096 == 0)
                cancellationToken.ThrowIfCancellationRequested();

            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == resultDepth)
                resultDepth = -1;
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "UnitTestResult" || reader.NamespaceURI != Namespace
                || resultDepth >= 0)
                continue;

            var outcome = reader.GetAttribute("outcome");
            switch (outcome)
            {
                case "Passed":
                    passed++;
                    break;
                case "Failed" or "Error" or "Timeout" or "Aborted":
                    failed++;
                    break;
                case "NotExecuted" or "Inconclusive" or "Pending" or "Disconnected" or "Warning":
                    skipped++;
                    break;
                default:
                    var line = JUnitParser.LineOf(reader);
                    return new EvidenceUnreadable(outcome is null
                        ? $"The UnitTestResult at line {line} has no outcome."
                        : $"The UnitTestResult at line {line} has outcome \"{EvidenceParser.Truncate(outcome, 50)}\", which TRX does not define.");
            }
            if (!reader.IsEmptyElement)
                resultDepth = reader.Depth;
        }
        while (await reader.ReadAsync());

        return new EvidenceSummary(EvidenceFormat.Trx, passed, failed, skipped, FindingCounts.Zero, [], JUnitParser.Short(tool));
    }
}
