using Chains.Indexes.VectorStores;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Where the stores <see cref="ChainsServiceCollectionExtensions.AddChains(IServiceCollection, Action{ChainsOptions}?)"/>
/// registers keep their data: in process memory (the default, lost on restart) or in local files. Read once, at
/// registration, and validated then.
/// </summary>
/// <remarks>
/// From configuration the keys are the property names, directly under the section passed to <c>AddChains</c>:
/// <code>"Chains": { "ChatHistoryDirectory": "data/history", "VectorDimension": 384 }</code>
/// Sub-sections of that section (<c>Chains:Models</c>, <c>Chains:Pgvector</c>...) belong to back-end packages and are
/// left to them; any other value directly under it is reported as an unknown key.
/// </remarks>
public sealed class ChainsOptions
{
    /// <summary>Gets or sets the directory of a <see cref="Chains.Memory.FileChatHistoryStore"/> (one JSON-lines file per
    /// session, created when missing); <see langword="null"/> keeps chat history in memory
    /// (<see cref="Chains.Memory.InMemoryChatHistoryStore"/>).</summary>
    public string? ChatHistoryDirectory { get; set; }

    /// <summary>Gets or sets the directory of a <see cref="Chains.Agents.Graph.FileCheckpointStore"/> for state-graph
    /// checkpoints; <see langword="null"/> keeps them in memory (<see cref="Chains.Agents.Graph.InMemoryCheckpointStore"/>).</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Gets or sets the file of a <see cref="Chains.Indexes.Indexing.FileRecordManager"/>, the record manager
    /// that lets the indexer skip unchanged documents across restarts; <see langword="null"/> keeps the records in memory
    /// (<see cref="Chains.Indexes.Indexing.InMemoryRecordManager"/>).</summary>
    public string? RecordManagerPath { get; set; }

    /// <summary>Gets or sets the dimension of every vector in the in-process vector store, or <see langword="null"/> to
    /// take it from the first upserted vector.</summary>
    public int? VectorDimension { get; set; }

    /// <summary>Gets or sets how the in-process vector store measures closeness (default <see cref="VectorDistance.Cosine"/>).</summary>
    public VectorDistance VectorDistance { get; set; } = VectorDistance.Cosine;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    internal void Validate()
    {
        CheckPath(ChatHistoryDirectory, nameof(ChatHistoryDirectory));
        CheckPath(CheckpointDirectory, nameof(CheckpointDirectory));
        CheckPath(RecordManagerPath, nameof(RecordManagerPath));
        if (VectorDimension is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(VectorDimension), VectorDimension, $"ChainsOptions.VectorDimension must be at least 1 (was {VectorDimension}), or null to take it from the first upserted vector.");
        }

        if (!Enum.IsDefined(VectorDistance))
        {
            throw new ArgumentOutOfRangeException(nameof(VectorDistance), VectorDistance, $"ChainsOptions.VectorDistance {VectorDistance} is not a defined VectorDistance (use Cosine, DotProduct or Euclidean).");
        }
    }

    /// <summary>Copies the options, so a later change to the caller's instance does not reach the registered stores.</summary>
    internal ChainsOptions Clone() => (ChainsOptions)MemberwiseClone();

    private static void CheckPath(string? path, string name)
    {
        if (path is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"ChainsOptions.{name} is blank; set a path, or null to keep the data in memory.", name);
        }

        try
        {
            _ = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"ChainsOptions.{name} '{path}' is not a valid path: {ex.Message}", name, ex);
        }
    }
}
