using System.Text;
using Microsoft.ML.Tokenizers;

namespace Chains.Tests.Memory;

/// <summary>A real Microsoft.ML.Tokenizers BERT WordPiece tokenizer built offline from a small in-memory vocabulary
/// (CJK characters are split one per token, unknown words become [UNK]).</summary>
public static class TestTokenizer
{
    private static readonly string[] Vocabulary =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "user", "assistant", "system", "tool", "the", "a", "is", "what", "weather", "in", "paris", "tokyo", "call",
        "result", "and", "you", "are", "helpful", "my", "name", "remember", "please", "sunny", "rain", "degrees",
        "get", "city", "days", "##s", "##ing", "##ed", "{", "}", "\"", ":", ",", ".", "?", "!", "_", "[", "]",
        "你", "好", "天", "气", "北", "京", "的", "是", "我",
    ];

    public static Tokenizer Create()
        => BertTokenizer.Create(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', Vocabulary))));
}
