using System.Text;
using System.Xml;
using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Evidence;

/// <summary>
/// Detects an uploaded evidence file's format from its content and counts what it says. Expected refusals
/// (unknown format, unreadable file, unsupported SARIF version) are returned as errors, never thrown.
/// </summary>
public static class EvidenceParser
{
    /// <summary>How many SARIF results a summary keeps in <see cref="EvidenceSummary.Findings"/>; the counts cover them all.</summary>
    public const int MaxFindingsKept = 100;

    internal const int MaxMessageLength = 1_000;
    internal const int MaxShortTextLength = 500;

    private const string TrxNamespace = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    // Uploads come from outside: no DTD means no entity expansion (billion laughs) and no external fetches (XXE).
    private static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        Async = true,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    /// <summary>
    /// Parses <paramref name="content"/>, a seekable stream positioned at the file's start, without reading it
    /// whole into memory (XML through <see cref="XmlReader"/>, SARIF through a streaming JSON reader).
    /// </summary>
    public static async Task<Result<EvidenceSummary>> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
            throw new ArgumentException("The evidence stream must be seekable: it is read twice.", nameof(content));

        var start = content.Position;
        var (first, prolog) = await SniffAsync(content, cancellationToken);
        content.Position = start;

        return first switch
        {
            Sniffed.Empty => new EvidenceFormatUnknown("an empty file"),
            Sniffed.Blank => new EvidenceFormatUnknown("a file holding nothing but whitespace"),
            Sniffed.Xml => await ParseXmlAsync(content, prolog, cancellationToken),
            Sniffed.Json => await SarifParser.ParseAsync(content, cancellationToken),
            Sniffed.Utf16Json => new EvidenceUnreadable("This JSON file is UTF-16; SARIF files must be UTF-8."),
            _ => new EvidenceFormatUnknown("binary or text that is neither XML nor JSON"),
        };
    }

    private enum Sniffed { Empty, Blank, Xml, Json, Utf16Json, Other }

    /// <summary>
    /// Finds the first significant character: a BOM and whitespace are skipped. Also returns the text read,
    /// so an XML error can tell a DOCTYPE (refused on purpose) from plain malformation.
    /// </summary>
    private static async Task<(Sniffed, string)> SniffAsync(Stream content, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var length = 0;
        int read;
        while (length < buffer.Length
            && (read = await content.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            length += read;
        if (length == 0)
            return (Sniffed.Empty, "");

        var bytes = buffer.AsSpan(0, length);
        Encoding encoding = Encoding.UTF8;
        var utf16 = false;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            bytes = bytes[3..];
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            bytes = bytes[2..];
            (encoding, utf16) = (Encoding.Unicode, true);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            bytes = bytes[2..];
            (encoding, utf16) = (Encoding.BigEndianUnicode, true);
        }

        var text = encoding.GetString(bytes);
        var significant = text.AsSpan().TrimStart(" \t\r\n");
        if (significant.IsEmpty)
            // A whitespace prefix longer than the sniff buffer is not a real tool's output: call it what it looks like.
            return (length < buffer.Length ? Sniffed.Blank : Sniffed.Other, text);
        return significant[0] switch
        {
            '<' => (Sniffed.Xml, text),
            '{' or '[' => (utf16 ? Sniffed.Utf16Json : Sniffed.Json, text),
            _ => (Sniffed.Other, text),
        };
    }

    private static async Task<Result<EvidenceSummary>> ParseXmlAsync(Stream content, string prolog, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = XmlReader.Create(content, XmlSettings);
            await reader.MoveToContentAsync();
            if (reader.NodeType != XmlNodeType.Element)
                return new EvidenceUnreadable("The XML document has no root element.");

            if (reader.NamespaceURI.Length == 0 && reader.LocalName is "testsuites" or "testsuite")
                return await JUnitParser.ParseAsync(reader, cancellationToken);
            if (reader.LocalName == "TestRun" && reader.NamespaceURI == TrxNamespace)
                return await TrxParser.ParseAsync(reader, cancellationToken);

            var root = Truncate(reader.Name, 100);
            return new EvidenceFormatUnknown(reader.NamespaceURI.Length == 0
                ? $"an XML document whose root is <{root}>"
                : $"an XML document whose root is <{root}> in namespace {Truncate(reader.NamespaceURI, 200)}");
        }
        catch (XmlException ex)
        {
            return Unreadable(ex, prolog);
        }
    }

    private static EvidenceUnreadable Unreadable(XmlException ex, string prolog)
    {
        // XmlReader names a prohibited DTD only in its message text, and without a line number: the prolog
        // we sniffed is the steadier sign, and tells where the DOCTYPE is.
        var doctype = prolog.IndexOf("<!DOCTYPE", StringComparison.Ordinal);
        if (doctype < 0 && !ex.Message.Contains("DTD", StringComparison.Ordinal))
            return new EvidenceUnreadable($"The XML is malformed at line {ex.LineNumber}, position {ex.LinePosition}: {ex.Message}");
        var line = doctype >= 0 ? prolog.AsSpan(0, doctype).Count('\n') + 1 : ex.LineNumber;
        return new EvidenceUnreadable(line > 0
            ? $"DTDs and entities are not allowed in evidence files; this one declares a DTD at line {line}."
            : "DTDs and entities are not allowed in evidence files; this one declares a DTD.");
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="max"/> characters without splitting a surrogate pair.</summary>
    internal static string Truncate(string text, int max)
    {
        if (text.Length <= max)
            return text;
        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut];
    }
}
