using System.Runtime.CompilerServices;

namespace Chains.Indexes.Splitters;

/// <summary>Conveniences over any <see cref="ITextSplitter"/>.</summary>
public static class TextSplitterExtensions
{
    /// <summary>Splits a plain string and returns the chunk texts.</summary>
    /// <param name="splitter">The splitter.</param>
    /// <param name="text">The text.</param>
    /// <returns>The chunk texts, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> SplitText(this ITextSplitter splitter, string text)
    {
        ArgumentNullException.ThrowIfNull(splitter);
        ArgumentNullException.ThrowIfNull(text);
        return [.. splitter.Split(new Document("text", text)).Select(c => c.Content)];
    }

    /// <summary>Splits documents as a loader streams them: <c>splitter.SplitAsync(loader.LoadAsync(ct), ct)</c>.</summary>
    /// <param name="splitter">The splitter.</param>
    /// <param name="documents">The documents.</param>
    /// <param name="cancellationToken">A token that stops the enumeration.</param>
    /// <returns>The chunks of each document in turn.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<Document> SplitAsync(this ITextSplitter splitter, IAsyncEnumerable<Document> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(splitter);
        ArgumentNullException.ThrowIfNull(documents);
        return Iterate(splitter, documents, cancellationToken);

        static async IAsyncEnumerable<Document> Iterate(ITextSplitter splitter, IAsyncEnumerable<Document> documents, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var document in documents.WithCancellation(cancellationToken))
            {
                foreach (var chunk in splitter.Split(document))
                {
                    yield return chunk;
                }
            }
        }
    }
}
