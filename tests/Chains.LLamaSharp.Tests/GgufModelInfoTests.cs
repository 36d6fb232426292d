using Chains.LLamaSharp.Tests.Support;

namespace Chains.LLamaSharp.Tests;

public sealed class GgufModelInfoTests
{
    [Fact]
    public void Read_GeneratedModel_ReportsItsHeader()
    {
        var info = GgufModelInfo.Read(TinyModel.DefaultPath);

        Assert.Equal(3, info.Version);
        Assert.Equal("llama", info.Architecture);
        Assert.Equal("tiny-test-llama", info.Name);
        Assert.Equal("model", info.FileKind);
        Assert.Equal("F32", info.Quantization);
        Assert.Equal(2048, info.ContextLength);
        Assert.Equal(2, info.BlockCount);
        Assert.Equal(64, info.EmbeddingLength);
        Assert.Equal(128, info.FeedForwardLength);
        Assert.Equal(4, info.HeadCount);
        Assert.Equal(2, info.HeadCountKv);
        Assert.Equal(16, info.KeyLength);
        Assert.Equal(16, info.ValueLength);
        Assert.Equal(TinyModel.Vocabulary().Tokens.Count, info.VocabularySize);
        Assert.Equal(TinyModel.ChatMlTemplate, info.ChatTemplate);

        const int V = 311, E = 64, F = 128, Kv = 32;
        long perBlock = E + (E * E) + (2 * E * Kv) + (E * E) + E + (3 * E * F);
        Assert.Equal((2L * V * E) + E + (2 * perBlock), info.ParameterCount);
        Assert.Equal(info.ParameterCount * 4, info.TensorDataBytes);
        Assert.False(info.IsTruncated);
        Assert.Equal(0, info.DataOffset % 32);
        Assert.Equal(3 + (2 * 9), info.Tensors.Count);
        var q = info.Tensors.Single(t => t.Name == "blk.1.attn_k.weight");
        Assert.Equal([64L, 32L], q.Dimensions);
        Assert.Equal("F32", q.TypeName);
        var tokens = Assert.IsType<GgufArray>(info.Metadata["tokenizer.ggml.tokens"]);
        Assert.Equal("string", tokens.ElementType);
        Assert.Equal("<|im_start|>", tokens.Values![TinyModel.ImStartId]);
        Assert.Contains("llama", info.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderOnlyFile_ReportsShapesAndIsTruncated()
    {
        var info = GgufModelInfo.Read(LlamaShapes.Llama2_7B("info-7b.gguf"));

        // Llama-2-7B has 6,738,415,616 parameters.
        Assert.Equal(6_738_415_616, info.ParameterCount);
        Assert.Equal("F16", info.Quantization);
        Assert.Equal(32000, info.VocabularySize);
        Assert.Null(Assert.IsType<GgufArray>(info.Metadata["tokenizer.ggml.tokens"]).Values);
        Assert.True(info.IsTruncated);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFoundException()
    {
        var path = Path.Combine(TinyModel.Directory, "missing.gguf");

        var ex = Assert.Throws<FileNotFoundException>(() => GgufModelInfo.Read(path));

        Assert.Equal(path, ex.FileName);
    }

    [Fact]
    public void Read_TextFile_ThrowsGgufFormatException()
    {
        var path = Path.Combine(TinyModel.Directory, "not-gguf.bin");
        File.WriteAllText(path, "PK\u0003\u0004 this is a zip, not a model");

        var ex = Assert.Throws<GgufFormatException>(() => GgufModelInfo.Read(path));

        Assert.Contains("not a GGUF file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedHeader_ThrowsGgufFormatException()
    {
        var path = Path.Combine(TinyModel.Directory, "cut-header.gguf");
        File.WriteAllBytes(path, File.ReadAllBytes(TinyModel.DefaultPath).AsSpan(0, 700).ToArray());

        var ex = Assert.Throws<GgufFormatException>(() => GgufModelInfo.Read(path));

        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0x03000000u)]
    public void Read_UnsupportedVersion_ThrowsGgufFormatException(uint version)
    {
        var path = Path.Combine(TinyModel.Directory, $"version-{version}.gguf");
        var bytes = File.ReadAllBytes(TinyModel.DefaultPath);
        BitConverter.GetBytes(version).CopyTo(bytes, 4);
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<GgufFormatException>(() => GgufModelInfo.Read(path));

        Assert.Contains(version == 0x03000000u ? "big-endian" : "version", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInt_PerLayerArray_ReturnsTheLargestValue()
    {
        var path = Path.Combine(TinyModel.Directory, "per-layer.gguf");
        new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("llama.feed_forward_length", new[] { 128, 512, 256 })
            .Write(path);

        var info = GgufModelInfo.Read(path);

        Assert.Equal(512, info.FeedForwardLength);
        Assert.Null(info.GetInt("llama.missing"));
        Assert.Null(info.GetString("llama.feed_forward_length"));
    }
}
