namespace Chains.Indexes.VectorStores;

/// <summary>
/// Thrown by <see cref="InMemoryVectorStore.LoadAsync"/> when a file is not a vector store file or is damaged: a torn
/// write (the file is shorter than its header promises), a checksum mismatch (bytes changed on disk), an unsupported
/// format version or content that cannot be decoded. The message names the file and what is wrong.
/// </summary>
public sealed class VectorStoreFileException : IOException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="filePath">The file that could not be loaded.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The underlying decoding error, if any.</param>
    public VectorStoreFileException(string filePath, string problem, Exception? innerException = null)
        : base($"Vector store file '{filePath}' cannot be loaded: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>Gets the file that could not be loaded.</summary>
    public string FilePath { get; }

    /// <summary>Gets what is wrong with the file, without its name.</summary>
    public string Problem { get; }
}
