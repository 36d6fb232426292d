namespace Chains.Indexes.Splitters;

/// <summary>Validation shared by the size-bounded splitters.</summary>
internal static class SplitterArguments
{
    // The parameter names are the option properties (ChunkSize, ChunkOverlap) a caller sets, not this method's parameters.
#pragma warning disable CA2208
    public static (int ChunkSize, int ChunkOverlap) CheckSizes(int chunkSize, int chunkOverlap)
    {
        if (chunkSize <= 0)
        {
            throw new ArgumentOutOfRangeException("ChunkSize", chunkSize, $"ChunkSize must be greater than 0, but is {chunkSize}.");
        }

        if (chunkOverlap < 0 || chunkOverlap >= chunkSize)
        {
            throw new ArgumentOutOfRangeException("ChunkOverlap", chunkOverlap, $"ChunkOverlap must be at least 0 and less than ChunkSize ({chunkSize}), but is {chunkOverlap}.");
        }

        return (chunkSize, chunkOverlap);
    }
#pragma warning restore CA2208
}
