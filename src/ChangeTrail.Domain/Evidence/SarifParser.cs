using System.Text.Json;
using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Evidence;

/// <summary>
/// Counts the results of every run of a SARIF 2.1.0 log by level, keeping the first
/// <see cref="EvidenceParser.MaxFindingsKept"/>. SARIF logs reach hundreds of megabytes (CodeQL embeds rule
/// help and code flows), so the file is walked token by token with <see cref="Utf8JsonReader"/> over a buffer
/// refilled from the stream; only the few members counted are ever turned into strings.
/// </summary>
internal static class SarifParser
{
    private const int InitialBuffer = 64 * 1024;

    // Utf8JsonReader needs a whole token in the buffer; a longer single string is not something a tool writes.
    private const int MaxBuffer = 16 * 1024 * 1024;

    public static async Task<Result<EvidenceSummary>> ParseAsync(Stream content, CancellationToken cancellationToken)
    {
        var walker = new Walker();
        var buffer = new byte[InitialBuffer];
        var filled = 0;
        var final = false;
        var state = new JsonReaderState();
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= MaxBuffer)
                        return new EvidenceUnreadable($"The JSON holds a single value longer than {MaxBuffer / (1024 * 1024)} MB, which no SARIF tool writes.");
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                final = read == 0;
                filled += read;

                var consumed = Walk(buffer.AsSpan(0, filled), final, ref state, walker);
                if (walker.Error is not null)
                    return walker.Error;
                if (final)
                    break;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (JsonException ex)
        {
            return new EvidenceUnreadable(
                $"The JSON is malformed at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message}");
        }

        return walker.ToSummary();
    }

    // Synchronous because Utf8JsonReader is a ref struct and cannot live across an await.
    private static int Walk(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, Walker walker)
    {
        var reader = new Utf8JsonReader(data, final, state);
        while (walker.Error is null && reader.Read())
            walker.OnToken(ref reader);
        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    /// <summary>Where in the SARIF tree a container sits; everything not counted is <see cref="Ignored"/>.</summary>
    private enum Place
    {
        Ignored, Root, Runs, Run, Tool, Driver, Results, Result, Message, Rule, Locations, Location,
        PhysicalLocation, ArtifactLocation, Region,
    }

    private enum Member
    {
        Other, Version, Schema, Runs, Tool, Driver, Name, Results, Message, Rule, Locations, PhysicalLocation,
        ArtifactLocation, Region, Level, Kind, RuleId, Id, Text, Uri, StartLine,
    }

    private sealed class Walker
    {
        private readonly List<(Place Place, int Children)> _stack = [];
        private readonly List<EvidenceFinding> _findings = [];
        private Member _member;
        private bool _rootIsObject, _sawRuns;
        private string? _version, _schema, _tool;
        private int _runs, _resultsInRun, _error, _warning, _note, _none;

        // The result being read: its members come in any order, so it is judged at its end.
        private string? _level, _kind, _ruleId, _ruleRefId, _message, _uri;
        private int? _startLine;

        public DomainError? Error { get; private set; }

        private bool Keeping => _findings.Count < EvidenceParser.MaxFindingsKept;

        public void OnToken(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    _member = Classify(ref reader);
                    return;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    Enter(reader.TokenType == JsonTokenType.StartObject);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    if (_stack[^1].Place == Place.Result)
                        EndResult();
                    _stack.RemoveAt(_stack.Count - 1);
                    break;
                case JsonTokenType.String:
                    OnString(ref reader);
                    break;
                case JsonTokenType.Number when _stack.Count > 0 && _stack[^1].Place == Place.Region && _member == Member.StartLine:
                    _startLine = reader.TryGetInt32(out var line) ? line : null;
                    break;
            }
            _member = Member.Other;
        }

        private void Enter(bool isObject)
        {
            if (_stack.Count == 0)
            {
                _rootIsObject = isObject;
                _stack.Add((isObject ? Place.Root : Place.Ignored, 0));
                return;
            }
            var (parent, children) = _stack[^1];
            _stack[^1] = (parent, children + 1);
            var place = (parent, _member, isObject) switch
            {
                (Place.Root, Member.Runs, false) => Place.Runs,
                (Place.Runs, _, true) => Place.Run,
                (Place.Run, Member.Tool, true) => Place.Tool,
                (Place.Tool, Member.Driver, true) => Place.Driver,
                (Place.Run, Member.Results, false) => Place.Results,
                (Place.Results, _, true) => Place.Result,
                (Place.Result, Member.Message, true) => Place.Message,
                (Place.Result, Member.Rule, true) => Place.Rule,
                (Place.Result, Member.Locations, false) => Place.Locations,
                (Place.Locations, _, true) when children == 0 => Place.Location,
                (Place.Location, Member.PhysicalLocation, true) => Place.PhysicalLocation,
                (Place.PhysicalLocation, Member.ArtifactLocation, true) => Place.ArtifactLocation,
                (Place.PhysicalLocation, Member.Region, true) => Place.Region,
                _ => Place.Ignored,
            };
            switch (place)
            {
                case Place.Runs:
                    _sawRuns = true;
                    break;
                case Place.Run:
                    _runs++;
                    _resultsInRun = 0;
                    break;
                case Place.Result:
                    _resultsInRun++;
                    _level = _kind = _ruleId = _ruleRefId = _message = _uri = null;
                    _startLine = null;
                    break;
            }
            _stack.Add((place, 0));
        }

        private void OnString(ref Utf8JsonReader reader)
        {
            if (_stack.Count == 0)
                return;
            switch (_stack[^1].Place, _member)
            {
                case (Place.Root, Member.Version):
                    _version = EvidenceParser.Truncate(reader.GetString()!, 50);
                    break;
                case (Place.Root, Member.Schema):
                    _schema = EvidenceParser.Truncate(reader.GetString()!, EvidenceParser.MaxShortTextLength);
                    break;
                case (Place.Driver, Member.Name) when _tool is null:
                    _tool = EvidenceParser.Truncate(reader.GetString()!, EvidenceParser.MaxShortTextLength);
                    break;
                case (Place.Result, Member.Level):
                    _level = CanonicalLevel(ref reader);
                    if (_level is null)
                        Error = new EvidenceUnreadable(
                            $"Result {_resultsInRun} of run {_runs} has level \"{EvidenceParser.Truncate(reader.GetString()!, 50)}\"; SARIF allows error, warning, note or none.");
                    break;
                case (Place.Result, Member.Kind):
                    _kind = reader.ValueTextEquals("fail"u8) ? "fail" : "other";
                    break;
                // Past the kept findings only the level counts: texts are not even decoded.
                case (Place.Result, Member.RuleId) when Keeping:
                    _ruleId = EvidenceParser.Truncate(reader.GetString()!, EvidenceParser.MaxShortTextLength);
                    break;
                case (Place.Rule, Member.Id) when Keeping:
                    _ruleRefId = EvidenceParser.Truncate(reader.GetString()!, EvidenceParser.MaxShortTextLength);
                    break;
                case (Place.Message, Member.Text) when Keeping:
                    _message = EvidenceParser.Truncate(reader.GetString()!, EvidenceParser.MaxMessageLength);
                    break;
                case (Place.ArtifactLocation, Member.Uri) when Keeping:
                    _uri = EvidenceParser.Truncate(reader.GetString()!, EvidenceParser.MaxShortTextLength);
                    break;
            }
        }

        private void EndResult()
        {
            // SARIF §3.27.10: without a level, a result whose kind is not "fail" is "none"; otherwise the
            // default is "warning". Rule configuration could change it; following that is not worth the cost.
            var level = _level ?? (_kind is not null and not "fail" ? "none" : "warning");
            switch (level)
            {
                case "error": _error++; break;
                case "warning": _warning++; break;
                case "note": _note++; break;
                default: _none++; break;
            }
            if (!Keeping)
                return;
            var location = _uri is null ? null
                : EvidenceParser.Truncate(_startLine is { } line ? $"{_uri}:{line}" : _uri, EvidenceParser.MaxShortTextLength);
            _findings.Add(new EvidenceFinding(level, _ruleId ?? _ruleRefId, _message, location));
        }

        public Result<EvidenceSummary> ToSummary()
        {
            var schemaSaysSarif = _schema?.Contains("sarif", StringComparison.OrdinalIgnoreCase) == true;
            if (!_rootIsObject || !(_version is not null && _sawRuns || schemaSaysSarif))
                return new EvidenceFormatUnknown(_rootIsObject
                    ? "JSON that is not SARIF (it has no top-level \"version\" and \"runs\", nor a SARIF \"$schema\")"
                    : "JSON that is not SARIF (its top level is not an object)");
            if (_version != "2.1.0")
                return new SarifVersionUnsupported(_version);
            return new EvidenceSummary(EvidenceFormat.Sarif, 0, 0, 0, new FindingCounts(_error, _warning, _note, _none),
                _findings, _tool);
        }

        private static string? CanonicalLevel(ref Utf8JsonReader reader) =>
            reader.ValueTextEquals("error"u8) ? "error"
            : reader.ValueTextEquals("warning"u8) ? "warning"
            : reader.ValueTextEquals("note"u8) ? "note"
            : reader.ValueTextEquals("none"u8) ? "none"
            : null;

        private Member Classify(ref Utf8JsonReader reader)
        {
            // Only the names that matter where the walker stands are compared: most members are skipped cheaply.
            var place = _stack.Count == 0 ? Place.Ignored : _stack[^1].Place;
            return place switch
            {
                Place.Root => reader.ValueTextEquals("version"u8) ? Member.Version
                    : reader.ValueTextEquals("$schema"u8) ? Member.Schema
                    : reader.ValueTextEquals("runs"u8) ? Member.Runs : Member.Other,
                Place.Run => reader.ValueTextEquals("tool"u8) ? Member.Tool
                    : reader.ValueTextEquals("results"u8) ? Member.Results : Member.Other,
                Place.Tool => reader.ValueTextEquals("driver"u8) ? Member.Driver : Member.Other,
                Place.Driver => reader.ValueTextEquals("name"u8) ? Member.Name : Member.Other,
                Place.Result => reader.ValueTextEquals("level"u8) ? Member.Level
                    : reader.ValueTextEquals("kind"u8) ? Member.Kind
                    : reader.ValueTextEquals("ruleId"u8) ? Member.RuleId
                    : reader.ValueTextEquals("rule"u8) ? Member.Rule
                    : reader.ValueTextEquals("message"u8) ? Member.Message
                    : reader.ValueTextEquals("locations"u8) ? Member.Locations : Member.Other,
                Place.Rule => reader.ValueTextEquals("id"u8) ? Member.Id : Member.Other,
                Place.Message => reader.ValueTextEquals("text"u8) ? Member.Text : Member.Other,
                Place.Location => reader.ValueTextEquals("physicalLocation"u8) ? Member.PhysicalLocation : Member.Other,
                Place.PhysicalLocation => reader.ValueTextEquals("artifactLocation"u8) ? Member.ArtifactLocation
                    : reader.ValueTextEquals("region"u8) ? Member.Region : Member.Other,
                Place.ArtifactLocation => reader.ValueTextEquals("uri"u8) ? Member.Uri : Member.Other,
                Place.Region => reader.ValueTextEquals("startLine"u8) ? Member.StartLine : Member.Other,
                _ => Member.Other,
            };
        }
    }
}
