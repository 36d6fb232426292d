using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Chains.Documents.Tests;

/// <summary>Writes real PDF and DOCX files with PdfPig's builder and the Open XML SDK.</summary>
internal static class TestFiles
{
    /// <summary>Writes a PDF whose pages hold the given lines (an empty array makes a page without text).</summary>
    public static void WritePdf(string path, string? title, params string[][] pages)
    {
        using var builder = new PdfDocumentBuilder();
        if (title is not null)
        {
            builder.DocumentInformation.Title = title;
        }

        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            var y = 780.0;
            foreach (var line in lines)
            {
                page.AddText(line, 12, new PdfPoint(50, y), font);
                y -= 20;
            }
        }

        File.WriteAllBytes(path, builder.Build());
    }

    /// <summary>Writes a .docx with heading styles; paragraphs are (style id or null, text).</summary>
    public static void WriteDocx(string path, string? title, IEnumerable<OpenXmlElement> bodyElements)
    {
        using var word = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        if (title is not null)
        {
            word.PackageProperties.Title = title;
        }

        var main = word.AddMainDocumentPart();
        var styles = main.AddNewPart<StyleDefinitionsPart>();
        styles.Styles = new Styles(
            Style("Title", "Title", basedOn: null),
            Style("Heading1", "heading 1", basedOn: null),
            Style("Heading2", "heading 2", basedOn: null),
            Style("MyChapter", "My Chapter", basedOn: "Heading1"));
        main.Document = new Document(new Body(bodyElements));
        main.Document.Save();
    }

    public static Paragraph Para(string? style, params OpenXmlElement[] runContent)
    {
        var paragraph = new Paragraph();
        if (style is not null)
        {
            paragraph.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        }

        paragraph.Append(new Run(runContent));
        return paragraph;
    }

    public static Paragraph Para(string? style, string text) => Para(style, new Text(text) { Space = SpaceProcessingModeValues.Preserve });

    public static Table Table(params string[][] rows)
        => new(rows.Select(cells => new TableRow(cells.Select(c => new TableCell(Para(null, c))))));

    private static Style Style(string id, string name, string? basedOn)
    {
        var style = new Style { Type = StyleValues.Paragraph, StyleId = id };
        style.Append(new StyleName { Val = name });
        if (basedOn is not null)
        {
            style.Append(new BasedOn { Val = basedOn });
        }

        return style;
    }
}
