namespace Chains.LLamaSharp.Gguf;

/// <summary>The ggml tensor types: names and storage sizes (bytes per block of elements), as llama.cpp defines them.</summary>
internal static class GgmlTypes
{
    private static readonly (string Name, int BlockSize, int BytesPerBlock)[] Table = BuildTable();

    /// <summary>Gets the name of a ggml type id ("F16", "Q4_K"...), or "type N" for an unknown id.</summary>
    public static string Name(uint type) => type < Table.Length && Table[type].Name is { Length: > 0 } name ? name : $"type {type}";

    /// <summary>Gets whether the type id is one this reader knows the size of.</summary>
    public static bool IsKnown(uint type) => type < Table.Length && Table[type].BlockSize > 0;

    /// <summary>Gets the byte size of <paramref name="elements"/> values of the type (rounded up to whole blocks).</summary>
    public static long ByteSize(uint type, long elements)
    {
        if (!IsKnown(type))
        {
            throw new GgufFormatException($"Unknown ggml tensor type {type}.");
        }

        var (_, blockSize, bytesPerBlock) = Table[type];
        return (elements + blockSize - 1) / blockSize * bytesPerBlock;
    }

    private static (string, int, int)[] BuildTable()
    {
        var t = new (string, int, int)[40];
        t[0] = ("F32", 1, 4);
        t[1] = ("F16", 1, 2);
        t[2] = ("Q4_0", 32, 18);
        t[3] = ("Q4_1", 32, 20);
        t[6] = ("Q5_0", 32, 22);
        t[7] = ("Q5_1", 32, 24);
        t[8] = ("Q8_0", 32, 34);
        t[9] = ("Q8_1", 32, 36);
        t[10] = ("Q2_K", 256, 84);
        t[11] = ("Q3_K", 256, 110);
        t[12] = ("Q4_K", 256, 144);
        t[13] = ("Q5_K", 256, 176);
        t[14] = ("Q6_K", 256, 210);
        t[15] = ("Q8_K", 256, 292);
        t[16] = ("IQ2_XXS", 256, 66);
        t[17] = ("IQ2_XS", 256, 74);
        t[18] = ("IQ3_XXS", 256, 98);
        t[19] = ("IQ1_S", 256, 50);
        t[20] = ("IQ4_NL", 32, 18);
        t[21] = ("IQ3_S", 256, 110);
        t[22] = ("IQ2_S", 256, 82);
        t[23] = ("IQ4_XS", 256, 136);
        t[24] = ("I8", 1, 1);
        t[25] = ("I16", 1, 2);
        t[26] = ("I32", 1, 4);
        t[27] = ("I64", 1, 8);
        t[28] = ("F64", 1, 8);
        t[29] = ("IQ1_M", 256, 56);
        t[30] = ("BF16", 1, 2);
        t[34] = ("TQ1_0", 256, 54);
        t[35] = ("TQ2_0", 256, 66);
        t[39] = ("MXFP4", 32, 17);
        return t;
    }

    /// <summary>Gets the name of a <c>general.file_type</c> value (llama_ftype), e.g. "Q4_K_M".</summary>
    public static string? FileTypeName(int fileType) => fileType switch
    {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        _ => null,
    };
}
