using System.Runtime.InteropServices;
using System.Text;
using LLama.Native;

namespace Chains.LLamaSharp.Native;

/// <summary>
/// llama.cpp entry points called through function pointers resolved from the library LLamaSharp loaded, for the calls
/// whose LLamaSharp 0.30.0 wrappers do not check for a NULL result (a rejected grammar or LoRA adapter would otherwise
/// crash the process on first use), and for <c>llama_decode</c> on a batch the engine keeps in unmanaged memory.
/// </summary>
internal static unsafe class NativeExports
{
    private static readonly Lazy<Table> s_table = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates a grammar sampler and adds it to <paramref name="chain"/>; returns <see langword="false"/> (adding
    /// nothing) when llama.cpp rejects the grammar.</summary>
    public static bool TryAddGrammar(SafeLLamaSamplerChainHandle chain, SafeLlamaModelHandle model, string grammar, string root)
    {
        var t = s_table.Value;
        var grammarBytes = NullTerminated(grammar);
        var rootBytes = NullTerminated(root);
        var added = false;
        chain.DangerousAddRef(ref added);
        var modelAdded = false;
        model.DangerousAddRef(ref modelAdded);
        try
        {
            var vocab = t.ModelGetVocab(model.DangerousGetHandle());
            IntPtr sampler;
            fixed (byte* g = grammarBytes)
            fixed (byte* r = rootBytes)
            {
                sampler = t.SamplerInitGrammar(vocab, g, r);
            }

            if (sampler == IntPtr.Zero)
            {
                return false;
            }

            t.SamplerChainAdd(chain.DangerousGetHandle(), sampler);
            return true;
        }
        finally
        {
            if (added)
            {
                chain.DangerousRelease();
            }

            if (modelAdded)
            {
                model.DangerousRelease();
            }
        }
    }

    /// <summary>Runs <c>llama_decode</c>; returns its status (0 on success).</summary>
    public static int Decode(SafeLLamaContextHandle context, LlamaBatch batch)
    {
        var t = s_table.Value;
        var added = false;
        context.DangerousAddRef(ref added);
        try
        {
            return t.Decode(context.DangerousGetHandle(), batch);
        }
        finally
        {
            if (added)
            {
                context.DangerousRelease();
            }
        }
    }

    /// <summary>Loads a LoRA adapter; returns <see cref="IntPtr.Zero"/> when llama.cpp rejects it.</summary>
    public static IntPtr LoadLora(SafeLlamaModelHandle model, string path)
    {
        var t = s_table.Value;
        var bytes = NullTerminated(path);
        fixed (byte* p = bytes)
        {
            return t.AdapterLoraInit(model.DangerousGetHandle(), p);
        }
    }

    /// <summary>Frees a LoRA adapter (only while its model is alive).</summary>
    public static void FreeLora(IntPtr adapter) => s_table.Value.AdapterLoraFree(adapter);

    /// <summary>Applies adapters with their scales to a context (replacing any previous set).</summary>
    public static int SetLoras(SafeLLamaContextHandle context, ReadOnlySpan<IntPtr> adapters, ReadOnlySpan<float> scales)
    {
        var t = s_table.Value;
        fixed (IntPtr* a = adapters)
        fixed (float* s = scales)
        {
            return t.SetAdaptersLora(context.DangerousGetHandle(), a, (nuint)adapters.Length, s);
        }
    }

    private static byte[] NullTerminated(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    private static Table Resolve()
    {
        LlamaNativeLibrary.EnsureLoaded();
        if (!NativeLibrary.TryLoad("llama", typeof(NativeApi).Assembly, null, out var handle))
        {
            throw new InvalidOperationException("The llama native library LLamaSharp loaded could not be located.");
        }

        return new Table
        {
            SamplerInitGrammar = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr>)NativeLibrary.GetExport(handle, "llama_sampler_init_grammar"),
            SamplerChainAdd = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void>)NativeLibrary.GetExport(handle, "llama_sampler_chain_add"),
            ModelGetVocab = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)NativeLibrary.GetExport(handle, "llama_model_get_vocab"),
            AdapterLoraInit = (delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr>)NativeLibrary.GetExport(handle, "llama_adapter_lora_init"),
            AdapterLoraFree = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(handle, "llama_adapter_lora_free"),
            SetAdaptersLora = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint, float*, int>)NativeLibrary.GetExport(handle, "llama_set_adapters_lora"),
            Decode = (delegate* unmanaged[Cdecl]<IntPtr, LlamaBatch, int>)NativeLibrary.GetExport(handle, "llama_decode"),
        };
    }

    private sealed class Table
    {
        public delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, IntPtr> SamplerInitGrammar;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void> SamplerChainAdd;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr> ModelGetVocab;
        public delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr> AdapterLoraInit;
        public delegate* unmanaged[Cdecl]<IntPtr, void> AdapterLoraFree;
        public delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint, float*, int> SetAdaptersLora;
        public delegate* unmanaged[Cdecl]<IntPtr, LlamaBatch, int> Decode;
    }

    /// <summary>llama.cpp's <c>llama_batch</c>, passed by value to <c>llama_decode</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LlamaBatch
    {
        public int TokenCount;
        public int* Tokens;
        public float* Embeddings;
        public int* Positions;
        public int* SequenceCounts;
        public int** SequenceIds;
        public byte* Logits;
    }
}
