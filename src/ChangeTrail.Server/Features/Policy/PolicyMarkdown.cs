using Ganss.Xss;
using Markdig;

namespace ChangeTrail.Server.Features.Policy;

/// <summary>
/// The policy's Markdown as HTML a page can show: Markdig renders it with raw HTML disabled (tags in the text come out as
/// text), and HtmlSanitizer then removes whatever could still run — a <c>javascript:</c> link, say. Two layers, because the
/// text is written by people and read by everyone.
/// </summary>
public static class PolicyMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().UsePipeTables().UseAutoLinks().Build();

    private static readonly HtmlSanitizer Sanitizer = new();

    public static string ToSafeHtml(string markdown) => Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));
}
