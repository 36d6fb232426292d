namespace Chains.Indexes;

/// <summary>Streams documents from a source (a file, a folder, a URL, a database).</summary>
public interface IDocumentLoader
{
    /// <summary>Reads the source and yields its documents as they are read.</summary>
    /// <param name="cancellationToken">A token that stops loading.</param>
    /// <returns>The documents.</returns>
    IAsyncEnumerable<Document> LoadAsync(CancellationToken cancellationToken = default);
}

/// <summary>Splits a document into smaller chunks whose <see cref="Document.Span"/>s still point into the original source.</summary>
public interface ITextSplitter
{
    /// <summary>Splits one document. Chunk ids derive from the document id; chunk metadata copies the document's and adds
    /// the chunk index.</summary>
    /// <param name="document">The document.</param>
    /// <returns>The chunks, in order.</returns>
    IReadOnlyList<Document> Split(Document document);
}
