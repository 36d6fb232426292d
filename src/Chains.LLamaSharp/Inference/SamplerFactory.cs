using Chains.LLamaSharp.Native;
using LLama.Native;

namespace Chains.LLamaSharp.Inference;

/// <summary>Builds the llama.cpp sampler chain of a request: grammar (first, so every later stage only sees tokens
/// the grammar admits), penalties, then greedy or top-k → top-p → min-p → temperature → seeded distribution.</summary>
internal static class SamplerFactory
{
    public static SafeLLamaSamplerChainHandle Create(SafeLlamaModelHandle model, SamplingSettings settings)
    {
        var chain = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        try
        {
            if (settings.Grammar is { } grammar && !NativeExports.TryAddGrammar(chain, model, grammar, "root"))
            {
                throw new GbnfGrammarException("llama.cpp rejected the grammar (see the llama.cpp log for the reason).");
            }

            if (settings.RepeatPenalty != 1f || settings.FrequencyPenalty != 0f || settings.PresencePenalty != 0f)
            {
                chain.AddPenalties(settings.PenaltyLastN, settings.RepeatPenalty, settings.FrequencyPenalty, settings.PresencePenalty);
            }

            if (settings.Temperature <= 0f)
            {
                chain.AddGreedySampler();
                return chain;
            }

            if (settings.TopK > 0)
            {
                chain.AddTopK(settings.TopK);
            }

            if (settings.TopP < 1f)
            {
                chain.AddTopP(settings.TopP, 1);
            }

            if (settings.MinP > 0f)
            {
                chain.AddMinP(settings.MinP, 1);
            }

            chain.AddTemperature(settings.Temperature);
            chain.AddDistributionSampler(settings.Seed);
            return chain;
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }
}
