using System.Diagnostics;
using Chains.LLamaSharp.Native;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Chains.LLamaSharp.Inference;

/// <summary>
/// Serves generation requests on one llama.cpp context with one sequence (and KV cache) per concurrent request: a
/// single worker thread batches the next token of every active request — and chunks of new prompts — into one
/// <c>llama_decode</c> (continuous batching), samples each sequence with its own sampler chain, and streams text out.
/// Requests beyond the sequence count wait in a FIFO queue. A new request goes to the free sequence whose cached
/// tokens share the longest prefix with its prompt, and only the tokens after that prefix are evaluated.
/// </summary>
internal sealed class InferenceEngine : IDisposable
{
    private readonly SafeLlamaModelHandle _model;
    private readonly SafeLLamaContextHandle _context;
    private readonly ILogger? _logger;
    private readonly Slot[] _slots;
    private readonly int _batchSize;
    private readonly int _vocabSize;
    private readonly bool[] _endOfGeneration;
    private readonly Utf8Guard _utf8;
    private readonly NativeBatch _batch;
    private readonly object _gate = new();
    private readonly Queue<GenerationRequest> _queue = new();
    private readonly List<GenerationRequest> _active = [];
    private readonly List<(GenerationRequest Request, int Count)> _inBatch = [];
    private readonly List<GenerationRequest> _snapshot = [];
    private readonly Thread _worker;
    private long _evaluatedTokens;
    private long _reusedTokens;
    private long _generatedTokens;
    private long _useCounter;
    private int _rotation;
    private bool _disposed;

    public InferenceEngine(SafeLlamaModelHandle model, SafeLLamaContextHandle context, int sequences, int batchSize, ILogger? logger)
    {
        _model = model;
        _context = context;
        _logger = logger;
        // llama.cpp caps the batch at the context it was asked for (before rounding the context up); a larger batch
        // would abort the process in llama_decode.
        _batchSize = Math.Min(batchSize, (int)context.BatchSize);

        // A step holds one token of every generating sequence plus prompt chunks up to the batch size.
        _batch = new NativeBatch(_batchSize + sequences);

        // The KV stream is shared: each sequence gets an equal share of it.
        ContextSizePerSequence = (int)(context.ContextSize / (uint)sequences);
        _slots = new Slot[sequences];
        for (var i = 0; i < sequences; i++)
        {
            _slots[i] = new Slot((LLamaSeqId)i);
        }

        var vocab = model.Vocab;
        _vocabSize = vocab.Count;
        _endOfGeneration = new bool[_vocabSize];
        var pieces = new byte[_vocabSize][];
        var buffer = new byte[256];
        for (var t = 0; t < _vocabSize; t++)
        {
            _endOfGeneration[t] = ((LLamaToken)t).IsEndOfGeneration(vocab);
            var size = (int)model.TokenToSpan(t, buffer, 0, false);
            if (size > buffer.Length)
            {
                buffer = new byte[size];
                size = (int)model.TokenToSpan(t, buffer, 0, false);
            }

            pieces[t] = buffer.AsSpan(0, size).ToArray();
        }

        _utf8 = new Utf8Guard(pieces);

        _worker = new Thread(Run) { IsBackground = true, Name = "llama.cpp inference" };
        _worker.Start();
    }

    /// <summary>Gets the KV cache size of each sequence, in tokens.</summary>
    public int ContextSizePerSequence { get; }

    /// <summary>Gets the number of sequences (concurrent requests).</summary>
    public int Sequences => _slots.Length;

    /// <summary>Gets the tokens evaluated by <c>llama_decode</c> so far (prompt and generated).</summary>
    public long EvaluatedTokens => Interlocked.Read(ref _evaluatedTokens);

    /// <summary>Gets the prompt tokens that were found in a KV cache and not evaluated again.</summary>
    public long ReusedTokens => Interlocked.Read(ref _reusedTokens);

    /// <summary>Gets the tokens generated so far.</summary>
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    /// <summary>Gets the requests generating now.</summary>
    public int ActiveRequests
    {
        get
        {
            lock (_gate)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>Gets the requests waiting for a free sequence.</summary>
    public int QueuedRequests
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Queues a request; its text arrives on <see cref="GenerationRequest.Output"/>.</summary>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    /// <exception cref="ArgumentException">The prompt is empty.</exception>
    /// <exception cref="LlamaContextOverflowException">The prompt leaves no room to generate in one sequence's context;
    /// nothing was queued or evaluated.</exception>
    public void Submit(GenerationRequest request)
    {
        if (request.Prompt.Length == 0)
        {
            throw new ArgumentException("The prompt has no tokens.", nameof(request));
        }

        if (request.Prompt.Length >= ContextSizePerSequence)
        {
            throw new LlamaContextOverflowException(request.Prompt.Length, ContextSizePerSequence);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queue.Enqueue(request);
            Monitor.PulseAll(_gate);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Monitor.PulseAll(_gate);
        }

        _worker.Join();
        _context.Dispose();
        _batch.Dispose();
    }

    private void Run()
    {
        var admitted = new List<GenerationRequest>();
        while (true)
        {
            lock (_gate)
            {
                while (!_disposed && _queue.Count == 0 && _active.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                if (_disposed)
                {
                    break;
                }

                while (_queue.Count > 0 && _active.Count + admitted.Count < _slots.Length)
                {
                    admitted.Add(_queue.Dequeue());
                }
            }

            foreach (var request in admitted)
            {
                Admit(request);
            }

            admitted.Clear();
            try
            {
                Step();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failure outside one request (native error) fails every active request; the engine keeps serving.
                foreach (var request in ActiveSnapshot())
                {
                    ResetSlot(request.SlotIndex);
                    Complete(request, ex);
                }
            }
        }

        // Disposed: fail what is left.
        List<GenerationRequest> left;
        lock (_gate)
        {
            left = [.. _active, .. _queue];
            _queue.Clear();
        }

        foreach (var request in left)
        {
            Complete(request, new ObjectDisposedException(nameof(LlamaModel), "The model was disposed while the request was running."));
        }
    }

    private void Admit(GenerationRequest request)
    {
        if (request.CancellationToken.IsCancellationRequested)
        {
            request.Output.Writer.TryComplete(new OperationCanceledException(request.CancellationToken));
            return;
        }

        // A free sequence whose cache is mostly a prefix of the prompt (a conversation continuing) is reused; otherwise
        // the least recently used free sequence is taken, so one conversation does not evict another that shares only
        // the template's first tokens with it. Either way, whatever prefix matches is not evaluated again.
        Slot? best = null;
        var bestCommon = -1;
        Slot? lru = null;
        var lruCommon = 0;
        foreach (var slot in _slots)
        {
            if (slot.Busy)
            {
                continue;
            }

            var common = CommonPrefix(slot.Cached, request.Prompt);
            if (common > 0 && common * 2 >= slot.Cached.Count && common > bestCommon)
            {
                best = slot;
                bestCommon = common;
            }

            if (lru is null || slot.LastUsed < lru.LastUsed)
            {
                lru = slot;
                lruCommon = common;
            }
        }

        if (best is null)
        {
            best = lru;
            bestCommon = lruCommon;
        }

        var chosen = best!;
        try
        {
            request.Sampler = SamplerFactory.Create(_model, request.Sampling);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Complete(request, ex);
            return;
        }

        // Keep at least the last prompt token to evaluate: its logits pick the first output token.
        var reuse = Math.Min(bestCommon, request.Prompt.Length - 1);
        if (reuse < chosen.Cached.Count)
        {
            _context.MemorySequenceRemove(chosen.Sequence, reuse, -1);
            chosen.Cached.RemoveRange(reuse, chosen.Cached.Count - reuse);
        }

        chosen.Busy = true;
        request.SlotIndex = (int)chosen.Sequence;
        request.PrefillPosition = reuse;
        request.CachedPromptTokens = reuse;
        request.Candidates = new LLamaTokenData[_vocabSize];
        Interlocked.Add(ref _reusedTokens, reuse);
        lock (_gate)
        {
            _active.Add(request);
        }

        if (_logger is not null)
        {
            Log.RequestStarted(_logger, request.Id, request.Prompt.Length, reuse, request.SlotIndex);
        }
    }

    private void Step()
    {
        var active = ActiveSnapshot();
        _batch.Clear();
        _inBatch.Clear();

        // Cancelled requests leave first; their cache stays consistent (it holds exactly what was evaluated).
        foreach (var request in active)
        {
            if (request.CancellationToken.IsCancellationRequested)
            {
                Complete(request, new OperationCanceledException(request.CancellationToken));
            }
        }

        active = ActiveSnapshot();
        if (active.Count == 0)
        {
            return;
        }

        // Generating sequences first (one token each), then prompt chunks fill the rest of the batch.
        var start = _rotation++ % active.Count;
        for (var k = 0; k < active.Count; k++)
        {
            var request = active[(start + k) % active.Count];
            if (!request.IsPrefilling)
            {
                var slot = _slots[request.SlotIndex];
                request.LogitsIndex = _batch.Add(request.NextToken, slot.Cached.Count, slot.Sequence, true);
                _inBatch.Add((request, 1));
            }
        }

        for (var k = 0; k < active.Count && _batch.TokenCount < _batchSize; k++)
        {
            var request = active[(start + k) % active.Count];
            if (!request.IsPrefilling)
            {
                continue;
            }

            var slot = _slots[request.SlotIndex];
            var count = Math.Min(request.Prompt.Length - request.PrefillPosition, _batchSize - _batch.TokenCount);
            var last = request.PrefillPosition + count == request.Prompt.Length;
            request.LogitsIndex = -1;
            for (var i = 0; i < count; i++)
            {
                var index = _batch.Add(request.Prompt[request.PrefillPosition + i], slot.Cached.Count + i, slot.Sequence, last && i == count - 1);
                if (last && i == count - 1)
                {
                    request.LogitsIndex = index;
                }
            }

            _inBatch.Add((request, count));
        }

        var result = _batch.Decode(_context);
        if (result != DecodeResult.Ok)
        {
            if (_logger is not null)
            {
                Log.DecodeFailed(_logger, result.ToString(), _inBatch.Count);
            }

            var error = new InvalidOperationException($"llama_decode failed ({result}) for a batch of {_batch.TokenCount} tokens.");
            foreach (var (request, _) in _inBatch)
            {
                ResetSlot(request.SlotIndex);
                Complete(request, error);
            }

            return;
        }

        Interlocked.Add(ref _evaluatedTokens, _batch.TokenCount);

        // Record what each sequence's cache now holds, then sample the sequences that produced logits.
        foreach (var (request, count) in _inBatch)
        {
            var slot = _slots[request.SlotIndex];
            if (request.IsPrefilling)
            {
                for (var i = 0; i < count; i++)
                {
                    slot.Cached.Add(request.Prompt[request.PrefillPosition + i]);
                }

                request.PrefillPosition += count;
            }
            else
            {
                slot.Cached.Add(request.NextToken);
            }
        }

        foreach (var (request, _) in _inBatch)
        {
            if (request.LogitsIndex >= 0 && !request.IsPrefilling)
            {
                SampleNext(request);
            }
        }
    }

    private void SampleNext(GenerationRequest request)
    {
        LLamaToken token;
        try
        {
            token = Sample(request);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Complete(request, ex);
            return;
        }

        request.GeneratedTokens++;
        Interlocked.Increment(ref _generatedTokens);
        if (request.FirstTokenTimestamp == 0)
        {
            request.FirstTokenTimestamp = Stopwatch.GetTimestamp();
        }

        if (_endOfGeneration[(int)token])
        {
            request.Finish = GenerationFinish.Stop;
            Complete(request, null);
            return;
        }

        request.Utf8State = _utf8.Advance(request.Utf8State, (int)token);
        if (request.BufferedText is { } buffer && !request.Stops.HasStops)
        {
            // Non-streaming without stop sequences: characters go straight into the response text.
            request.Decoder.AppendTo(_utf8.Piece((int)token), buffer);
        }
        else
        {
            Emit(request, request.Stops.Add(request.Decoder.Add(_utf8.Piece((int)token))));
        }

        if (request.Stops.Matched)
        {
            request.Finish = GenerationFinish.Stop;
            Complete(request, null);
        }
        else if (request.GeneratedTokens >= request.MaxTokens || _slots[request.SlotIndex].Cached.Count + 1 >= ContextSizePerSequence)
        {
            request.Finish = GenerationFinish.Length;
            Complete(request, null);
        }
        else
        {
            request.NextToken = token;
        }
    }

    private LLamaToken Sample(GenerationRequest request)
    {
        var logits = _context.GetLogitsIth(request.LogitsIndex);
        var candidates = request.Candidates!;
        for (var t = 0; t < candidates.Length; t++)
        {
            candidates[t] = new LLamaTokenData(t, logits[t], 0);
        }

        _utf8.Mask(request.Utf8State, candidates);

        var array = new LLamaTokenDataArray(candidates, isSorted: false);
        LLamaToken token;
        using (LLamaTokenDataArrayNative.Create(array, out var native))
        {
            request.Sampler!.Apply(ref native);
            var selected = native.Selected;
            if (selected < 0 || selected >= (long)native.Size)
            {
                throw new InvalidOperationException("The sampler chain selected no token.");
            }

            var chosen = native.Data[(int)selected];
            if (float.IsNegativeInfinity(chosen.Logit) || float.IsNaN(chosen.Logit))
            {
                // Every token was masked: the grammar cannot continue with this vocabulary. Never accept the token, which
                // would abort the process inside llama.cpp.
                throw new GbnfGrammarException("The grammar admits no token of the model's vocabulary at this point; the output so far cannot be completed.");
            }

            token = chosen.ID;
        }

        request.Sampler.Accept(token);
        return token;
    }

    private void Complete(GenerationRequest request, Exception? error)
    {
        if (request.SlotIndex >= 0)
        {
            var slot = _slots[request.SlotIndex];
            slot.Busy = false;
            slot.LastUsed = ++_useCounter;
        }

        lock (_gate)
        {
            _active.Remove(request);
        }

        request.Sampler?.Dispose();
        request.Sampler = null;
        if (error is null)
        {
            Emit(request, request.Stops.Add(request.Decoder.Flush()) + request.Stops.Flush());
        }

        if (_logger is not null && error is null)
        {
            Log.RequestFinished(_logger, request.Id, request.Finish, request.GeneratedTokens);
        }

        request.Output.Writer.TryComplete(error);
    }

    private static void Emit(GenerationRequest request, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (request.BufferedText is { } buffer)
        {
            buffer.Append(text);
        }
        else
        {
            request.Output.Writer.TryWrite(text);
        }
    }

    private void ResetSlot(int index)
    {
        if (index < 0)
        {
            return;
        }

        var slot = _slots[index];
        try
        {
            _context.MemorySequenceRemove(slot.Sequence, 0, -1);
        }
        finally
        {
            slot.Cached.Clear();
        }
    }

    /// <summary>Copies the active requests into a list the worker reuses (no allocation per step); valid until the next call.</summary>
    private List<GenerationRequest> ActiveSnapshot()
    {
        _snapshot.Clear();
        lock (_gate)
        {
            _snapshot.AddRange(_active);
        }

        return _snapshot;
    }

    private static int CommonPrefix(List<LLamaToken> cached, LLamaToken[] prompt)
    {
        var n = Math.Min(cached.Count, prompt.Length);
        var i = 0;
        while (i < n && cached[i] == prompt[i])
        {
            i++;
        }

        return i;
    }

    private sealed class Slot(LLamaSeqId sequence)
    {
        public LLamaSeqId Sequence { get; } = sequence;

        public List<LLamaToken> Cached { get; } = [];

        public bool Busy { get; set; }

        public long LastUsed { get; set; }
    }
}
