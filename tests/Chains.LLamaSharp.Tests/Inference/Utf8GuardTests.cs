using System.Text;
using Chains.LLamaSharp.Inference;
using LLama.Native;

namespace Chains.LLamaSharp.Tests.Inference;

public sealed class Utf8GuardTests
{
    // Tokens: 0 = "a", 1 = "你" (complete), 2 = 0xE4, 3 = 0xBD, 4 = 0xA0, 5 = 0x80 (stray continuation), 6 = "" (control),
    // 7 = 0xC0 (never valid), 8 = 0xED 0xA0 (surrogate start), 9 = 0xF4 0x90 (above U+10FFFF).
    private static readonly Utf8Guard Guard = new(
    [
        "a"u8.ToArray(), Encoding.UTF8.GetBytes("你"), [0xE4], [0xBD], [0xA0], [0x80], [], [0xC0], [0xED, 0xA0], [0xF4, 0x90],
    ]);

    [Fact]
    public void Mask_BetweenCharacters_BlocksOnlyInvalidStarts()
    {
        var allowed = Allowed(default);

        Assert.Equal([0, 1, 2, 6], allowed);
    }

    [Fact]
    public void Mask_InsideACharacter_AllowsOnlyFittingContinuations()
    {
        var afterLead = Guard.Advance(default, 2);
        var afterTwo = Guard.Advance(afterLead, 3);

        Assert.Equal([3, 4, 5], Allowed(afterLead));
        Assert.Equal([3, 4, 5], Allowed(afterTwo));
        Assert.Equal(default, Guard.Advance(afterTwo, 4));
    }

    private static int[] Allowed(Utf8Guard.State state)
    {
        var candidates = Enumerable.Range(0, 10).Select(i => new LLamaTokenData(i, 1f, 0)).ToArray();
        Guard.Mask(state, candidates);
        return [.. candidates.Where(c => !float.IsNegativeInfinity(c.Logit)).Select(c => (int)c.ID)];
    }
}
