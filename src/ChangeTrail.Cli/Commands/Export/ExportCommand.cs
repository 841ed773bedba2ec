using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

namespace ChangeTrail.Cli.Commands.Export;

/// <summary>
/// <c>changetrail export --out FILE [--from DATE] [--to DATE] [--force]</c>: downloads the evidence export
/// (GET /api/v1/export), a ZIP that <c>ledger verify --bundle</c> checks offline. The download goes to a temporary
/// file beside the target and is renamed only once complete and readable, so a failed download leaves nothing
/// half-written, and an existing file is replaced only with <c>--force</c>.
/// </summary>
internal static class ExportCommand
{
    public const string ManifestFile = "manifest.json";
    public const string FormatPrefix = "changetrail-export/";

    public static Command Create(CliContext context)
    {
        var output = new Option<FileInfo>("--out", "-o")
        {
            Description = "Where to write the ZIP.",
            HelpName = "FILE",
            Required = true,
        };
        var from = new Option<string>("--from") { Description = "First day of the period (yyyy-MM-dd).", HelpName = "DATE" };
        var to = new Option<string>("--to") { Description = "Last day of the period (yyyy-MM-dd).", HelpName = "DATE" };
        var force = new Option<bool>("--force") { Description = "Replace FILE if it exists." };

        var command = new Command("export",
            "Download the evidence export: the signed ledger and every current record, verifiable offline with 'ledger verify --bundle'.")
        {
            output, from, to, force,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var target = parse.GetValue(output)!;
            var replace = parse.GetValue(force);
            // Checked before anything is asked of the server; checked again at the rename, in case the file appeared meanwhile.
            if (target.Exists && !replace)
            {
                context.Error.WriteLine($"error: {target.FullName} exists; pass --force to replace it.");
                return Task.FromResult(ExitCodes.UsageOrConnection);
            }
            if (Directory.Exists(target.FullName))
            {
                context.Error.WriteLine($"error: {target.FullName} is a folder; --out takes a file name.");
                return Task.FromResult(ExitCodes.UsageOrConnection);
            }
            if (target.Directory is { Exists: false } folder)
            {
                context.Error.WriteLine($"error: the folder {folder.FullName} does not exist.");
                return Task.FromResult(ExitCodes.UsageOrConnection);
            }
            var path = "export" + QueryString(("from", parse.GetValue(from)), ("to", parse.GetValue(to)));
            return context.WithServerAsync(parse, server => DownloadAsync(context, server, path, target, replace, context.Json(parse),
                cancellationToken));
        });
        return command;
    }

    private static async Task<int> DownloadAsync(CliContext context, Http.ServerClient server, string path, FileInfo target, bool replace,
        bool json, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(target.DirectoryName!, $".{target.Name}.{Guid.NewGuid():N}.part");
        try
        {
            try
            {
                var exitCode = await server.DownloadAsync(path, "application/zip", async (body, ct) =>
                {
                    await using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                    await body.CopyToAsync(file, ct);
                }, cancellationToken);
                if (exitCode != ExitCodes.Success)
                    return exitCode;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The connection broke off mid-way, or the folder cannot be written.
                context.Error.WriteLine($"error: the export could not be downloaded to {target.FullName}: {exception.Message}");
                return ExitCodes.UsageOrConnection;
            }

            using var manifest = ReadManifest(temporary, out var problem);
            if (manifest is null)
            {
                context.Error.WriteLine($"error: the server's answer is not a ChangeTrail export: {problem}");
                return ExitCodes.UsageOrConnection;
            }
            try
            {
                File.Move(temporary, target.FullName, overwrite: replace);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                context.Error.WriteLine(File.Exists(target.FullName) && !replace
                    ? $"error: {target.FullName} appeared during the download; pass --force to replace it."
                    : $"error: the export could not be saved to {target.FullName}: {exception.Message}");
                return ExitCodes.UsageOrConnection;
            }
            context.Out.WriteLine(json ? manifest.RootElement.GetRawText() : Summary(manifest.RootElement, target.FullName));
            return ExitCodes.Success;
        }
        finally
        {
            // After a successful rename there is nothing left to delete; otherwise the partial download goes.
            TryDelete(temporary);
        }
    }

    /// <summary>The bundle's manifest, or null (with the reason) when the file is not a ZIP holding one of a known format.</summary>
    private static JsonDocument? ReadManifest(string path, out string? problem)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            if (zip.GetEntry(ManifestFile) is not { } entry)
            {
                problem = $"the ZIP has no {ManifestFile}.";
                return null;
            }
            using var stream = entry.Open();
            var manifest = JsonDocument.Parse(stream);
            if (manifest.RootElement.ValueKind != JsonValueKind.Object
                || !manifest.RootElement.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || !format.GetString()!.StartsWith(FormatPrefix, StringComparison.Ordinal))
            {
                manifest.Dispose();
                problem = $"its {ManifestFile} does not name a {FormatPrefix}... format.";
                return null;
            }
            problem = null;
            return manifest;
        }
        catch (Exception exception) when (exception is InvalidDataException or JsonException)
        {
            problem = exception.Message;
            return null;
        }
    }

    private static string Summary(JsonElement manifest, string path)
    {
        string Text(string name) => manifest.TryGetProperty(name, out var value) ? value.ToString() : "?";
        var records = Text("records");
        return string.Create(CultureInfo.InvariantCulture,
            $"Exported the ledger (size {Text("treeSize")}, root {Text("rootHash")}, origin {Text("origin")}) and {records} " +
            $"{(records == "1" ? "record" : "records")} to {path}.");
    }

    private static string QueryString(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrWhiteSpace(p.Value))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!.Trim())}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Left behind only if it cannot be deleted; its name says it is partial.
        }
    }
}
