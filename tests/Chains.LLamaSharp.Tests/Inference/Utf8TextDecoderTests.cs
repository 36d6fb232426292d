using System.Text;
using Chains.LLamaSharp.Inference;

namespace Chains.LLamaSharp.Tests.Inference;

public sealed class Utf8TextDecoderTests
{
    [Fact]
    public void Add_MultiByteCharactersSplitAcrossCalls_EmitsOnlyWholeCharacters()
    {
        var decoder = new Utf8TextDecoder();
        var bytes = Encoding.UTF8.GetBytes("a你🙂b");
        var outputs = bytes.Select(b => decoder.Add([b])).ToList();

        Assert.Equal(["a", "", "", "你", "", "", "", "🙂", "b"], outputs);
        Assert.Equal(string.Empty, decoder.Flush());
    }

    [Fact]
    public void Flush_IncompleteSequence_GivesOneReplacementCharacter()
    {
        var decoder = new Utf8TextDecoder();

        Assert.Equal(string.Empty, decoder.Add([0xE4, 0xBD]));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("x", decoder.Add("x"u8));
    }
}
