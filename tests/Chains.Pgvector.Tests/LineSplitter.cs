using Chains.Indexes;

namespace Chains.Pgvector.Tests;

// Linked into Chains.Pgvector.TestHost too: the process the kill tests run splits exactly as the tests expect.
/// <summary>Splits a document into one chunk per line; chunk ids are <c>doc#line</c>.</summary>
internal sealed class LineSplitter : ITextSplitter
{
    public IReadOnlyList<Document> Split(Document document)
    {
        var chunks = new List<Document>();
        var start = 0;
        var lines = document.Content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            chunks.Add(new Document($"{document.Id}#{i}", lines[i], document.Metadata.With("line", i), document.Source, new SourceSpan(start, lines[i].Length)));
            start += lines[i].Length + 1;
        }

        return chunks;
    }
}
