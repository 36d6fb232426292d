using System.Text;
using Chains.Indexes.Loaders;

namespace Chains.Tests.Indexes.Loaders;

public sealed class TextEncodingTests
{
    private const string Chinese = "床前明月光，疑是地上霜。";

    [Fact]
    public void Detect_ByteOrderMarks_PickUnicodeEncodings()
    {
        Assert.Equal(Encoding.UTF8.CodePage, TextEncoding.Detect([0xEF, 0xBB, 0xBF, 0x41]).CodePage);
        Assert.Equal(Encoding.Unicode.CodePage, TextEncoding.Detect([0xFF, 0xFE, 0x41, 0x00]).CodePage);
        Assert.Equal(Encoding.BigEndianUnicode.CodePage, TextEncoding.Detect([0xFE, 0xFF, 0x00, 0x41]).CodePage);
        Assert.Equal(Encoding.UTF32.CodePage, TextEncoding.Detect([0xFF, 0xFE, 0x00, 0x00, 0x41, 0, 0, 0]).CodePage);
        Assert.Equal(12001, TextEncoding.Detect([0x00, 0x00, 0xFE, 0xFF, 0, 0, 0, 0x41]).CodePage);
    }

    [Fact]
    public void Detect_ValidUtf8WithoutMark_IsUtf8()
    {
        var encoding = TextEncoding.Detect(Encoding.UTF8.GetBytes(Chinese));

        Assert.Equal(Encoding.UTF8.CodePage, encoding.CodePage);
        Assert.Empty(encoding.Preamble.ToArray());
    }

    [Fact]
    public void Detect_GbkBytes_IsGb18030AndDecodesChinese()
    {
        var gbk = TempFolder.Gbk.GetBytes(Chinese);

        var encoding = TextEncoding.Detect(gbk);

        Assert.Equal(54936, encoding.CodePage);
        Assert.Equal(Chinese, TextEncoding.Decode(gbk));
    }

    [Fact]
    public void Decode_Utf16WithMark_DropsMark()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Chinese)).ToArray();

        Assert.Equal(Chinese, TextEncoding.Decode(bytes));
    }

    [Fact]
    public void Decode_ForcedUtf8WithoutPreambleOnMarkedBytes_DropsMark()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("abc")).ToArray();

        Assert.Equal("abc", TextEncoding.Decode(bytes, new UTF8Encoding(false)));
    }

    [Fact]
    public void Decode_ForcedEncoding_OverridesDetection()
    {
        var latin1 = Encoding.Latin1.GetBytes("café");

        Assert.Equal("café", TextEncoding.Decode(latin1, Encoding.Latin1));
        Assert.NotEqual("café", TextEncoding.Decode(latin1));
    }
}
