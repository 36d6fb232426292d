namespace Chains.Memory;

/// <summary>How a <see cref="TokenCounter"/> frames messages and tools: the fixed tokens the model's chat template adds
/// around each one. The defaults are OpenAI's chat format.</summary>
public sealed record TokenCounterOptions
{
    private readonly int _tokensPerMessage = 3;
    private readonly int _tokensPerName = 1;
    private readonly int _tokensPerTool;
    private readonly int _mediaTokens = 85;

    /// <summary>Gets the tokens the template adds around every message, besides its role (default 3: OpenAI's
    /// <c>&lt;|start|&gt;role&lt;|message|&gt;…&lt;|end|&gt;</c>; ChatML templates add 3 to 4 besides the role).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int TokensPerMessage
    {
        get => _tokensPerMessage;
        init => _tokensPerMessage = NonNegative(value, nameof(TokensPerMessage));
    }

    /// <summary>Gets the tokens added when a message has an author name, besides the name itself (default 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int TokensPerName
    {
        get => _tokensPerName;
        init => _tokensPerName = NonNegative(value, nameof(TokensPerName));
    }

    /// <summary>Gets the tokens the template adds around each tool definition, besides its JSON (default 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int TokensPerTool
    {
        get => _tokensPerTool;
        init => _tokensPerTool = NonNegative(value, nameof(TokensPerTool));
    }

    /// <summary>Gets the tokens counted for each image, audio or file content (data, URI or hosted file), which a text
    /// tokenizer cannot count (default 85, an OpenAI low-detail image).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MediaTokens
    {
        get => _mediaTokens;
        init => _mediaTokens = NonNegative(value, nameof(MediaTokens));
    }

    internal static TokenCounterOptions Default { get; } = new();

    private static int NonNegative(int value, string name)
        => value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
}
