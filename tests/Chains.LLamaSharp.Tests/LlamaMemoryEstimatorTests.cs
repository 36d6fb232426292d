using Chains.LLamaSharp.Tests.Support;

namespace Chains.LLamaSharp.Tests;

public sealed class LlamaMemoryEstimatorTests
{
    private const double GiB = 1024.0 * 1024 * 1024;

    private static readonly Lazy<GgufModelInfo> Llama7B = new(() => GgufModelInfo.Read(LlamaShapes.Llama2_7B("estimate-7b.gguf")));

    [Fact]
    public void Estimate_Llama7BAsStored_WeightsAreTheFileTensorsAndKvIsTwoGiBAt4096()
    {
        var estimate = LlamaMemoryEstimator.Estimate(Llama7B.Value, 4096);

        // llama.cpp: Llama-2-7B F16 is 12.55 GiB; its F16 KV cache at 4096 tokens is 2048 MiB.
        Assert.Equal("F16", estimate.Precision);
        Assert.Equal(12.55, estimate.WeightBytes / GiB, 2);
        Assert.Equal(2L << 30, estimate.KvCacheBytes);
        Assert.InRange(estimate.ComputeBufferBytes / GiB, 0.1, 0.6);
        Assert.Equal(estimate.WeightBytes + estimate.KvCacheBytes + estimate.ComputeBufferBytes, estimate.TotalBytes);
        Assert.Contains("F16: weights 12.55 GiB + KV 2.00 GiB", estimate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EstimateTable_Llama7B_MatchesLlamaCppSizesAtFp16Int8Int4()
    {
        var table = LlamaMemoryEstimator.EstimateTable(Llama7B.Value, 2048);

        Assert.Equal(["F16", "Q8_0", "Q4_K_M"], table.Select(e => e.Precision));

        // Published llama.cpp sizes for 7B: F16 12.55 GiB, Q8_0 6.67 GiB, Q4_K_M 3.80 GiB.
        Assert.Equal(12.55, table[0].WeightBytes / GiB, 1);
        Assert.InRange(table[1].WeightBytes / GiB, 6.67 * 0.97, 6.67 * 1.03);
        Assert.InRange(table[2].WeightBytes / GiB, 3.80 * 0.97, 3.80 * 1.05);
        Assert.All(table, e => Assert.Equal(1L << 30, e.KvCacheBytes));
    }

    [Fact]
    public void Estimate_GroupedQueryAttention_ShrinksTheKvCache()
    {
        var gqa = GgufModelInfo.Read(LlamaShapes.Llama2_7B("estimate-7b-gqa.gguf", kvHeads: 8));

        var estimate = LlamaMemoryEstimator.Estimate(gqa, 8192);

        // 32 layers x 8192 tokens x (8 heads x 128) x 2 (K and V) x 2 bytes = 1 GiB.
        Assert.Equal(1L << 30, estimate.KvCacheBytes);
    }

    [Fact]
    public void Estimate_GeneratedModel_WeightsEqualItsTensorData()
    {
        var info = GgufModelInfo.Read(TinyModel.DefaultPath);

        var estimate = LlamaMemoryEstimator.Estimate(info, 512);

        Assert.Equal(info.TensorDataBytes, estimate.WeightBytes);
        Assert.Equal(2L * 512 * 2 * 32 * 2, estimate.KvCacheBytes);
    }

    [Fact]
    public void GpuLayersThatFit_GrowingBudgets_OffloadMoreLayersUpToAll()
    {
        var model = Llama7B.Value;
        var compute = LlamaMemoryEstimator.Estimate(model, 4096).ComputeBufferBytes;
        var perLayer = model.Tensors.Where(t => t.Name.StartsWith("blk.0.", StringComparison.Ordinal)).Sum(t => t.ByteSize);
        var kvPerLayer = (2L << 30) / 32;

        Assert.Equal(0, LlamaMemoryEstimator.GpuLayersThatFit(model, 4096, 1L << 20));
        Assert.Equal(10, LlamaMemoryEstimator.GpuLayersThatFit(model, 4096, compute + (long)(10.5 * (perLayer + kvPerLayer))));
        Assert.Equal(32, LlamaMemoryEstimator.GpuLayersThatFit(model, 4096, compute + (long)(32.01 * (perLayer + kvPerLayer))));
        Assert.Equal(33, LlamaMemoryEstimator.GpuLayersThatFit(model, 4096, 24L << 30));
        var previous = 0;
        for (var gib = 1; gib <= 24; gib++)
        {
            var layers = LlamaMemoryEstimator.GpuLayersThatFit(model, 4096, (long)gib << 30);
            Assert.True(layers >= previous);
            previous = layers;
        }
    }

    [Fact]
    public void Estimate_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => LlamaMemoryEstimator.Estimate(null!, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlamaMemoryEstimator.Estimate(Llama7B.Value, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlamaMemoryEstimator.GpuLayersThatFit(Llama7B.Value, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightPrecision("Q3", 0));
    }
}
