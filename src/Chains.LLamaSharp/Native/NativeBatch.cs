using System.Runtime.InteropServices;
using LLama.Native;

namespace Chains.LLamaSharp.Native;

/// <summary>
/// A <c>llama_batch</c> in unmanaged memory that the engine fills in place and hands to <c>llama_decode</c>: one
/// sequence id per token, capacity fixed at creation. LLamaSharp's <see cref="LLamaBatch"/> pins every one of its
/// per-token sequence-id arrays (its whole capacity) on every decode, which costs allocations and time on each
/// generated token; this batch is set up once. (LLamaSharp's decode also takes a process-wide lock; llama.cpp needs
/// none between contexts, and each engine decodes on its own single worker thread.)
/// </summary>
internal sealed unsafe class NativeBatch : IDisposable
{
    private readonly int* _tokens;
    private readonly int* _positions;
    private readonly int* _sequenceCounts;
    private readonly int* _sequenceIds;
    private readonly int** _sequencePointers;
    private readonly byte* _logits;
    private bool _disposed;

    public NativeBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _tokens = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _positions = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _sequenceCounts = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _sequenceIds = (int*)NativeMemory.Alloc((nuint)capacity, sizeof(int));
        _sequencePointers = (int**)NativeMemory.Alloc((nuint)capacity, (nuint)sizeof(int*));
        _logits = (byte*)NativeMemory.Alloc((nuint)capacity, 1);
        for (var i = 0; i < capacity; i++)
        {
            _sequenceCounts[i] = 1;
            _sequencePointers[i] = _sequenceIds + i;
        }
    }

    /// <summary>Gets the most tokens the batch holds.</summary>
    public int Capacity { get; }

    /// <summary>Gets the tokens in the batch.</summary>
    public int TokenCount { get; private set; }

    /// <summary>Empties the batch.</summary>
    public void Clear() => TokenCount = 0;

    /// <summary>Adds a token of one sequence; returns its index in the batch (where its logits are, when requested).</summary>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public int Add(LLamaToken token, int position, LLamaSeqId sequence, bool logits)
    {
        if (TokenCount == Capacity)
        {
            throw new InvalidOperationException($"The batch is full ({Capacity} tokens).");
        }

        var i = TokenCount++;
        _tokens[i] = (int)token;
        _positions[i] = position;
        _sequenceIds[i] = sequence.Value;
        _logits[i] = logits ? (byte)1 : (byte)0;
        return i;
    }

    /// <summary>Runs <c>llama_decode</c> on the batch.</summary>
    public DecodeResult Decode(SafeLLamaContextHandle context)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (TokenCount == 0)
        {
            return DecodeResult.Ok;
        }

        var batch = new NativeExports.LlamaBatch
        {
            TokenCount = TokenCount,
            Tokens = _tokens,
            Embeddings = null,
            Positions = _positions,
            SequenceCounts = _sequenceCounts,
            SequenceIds = _sequencePointers,
            Logits = _logits,
        };
        return (DecodeResult)NativeExports.Decode(context, batch);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NativeMemory.Free(_tokens);
        NativeMemory.Free(_positions);
        NativeMemory.Free(_sequenceCounts);
        NativeMemory.Free(_sequenceIds);
        NativeMemory.Free(_sequencePointers);
        NativeMemory.Free(_logits);
    }
}
