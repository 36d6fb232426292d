namespace Microsoft.Extensions.AI;

/// <summary>Adds the ReAct text protocol to a chat client pipeline.</summary>
public static class ReActChatClientBuilderExtensions
{
    /// <summary>Adds a <see cref="Chains.Agents.ReActChatClient"/>: tools are described in the prompt and the model's
    /// <c>Action:</c> replies become function calls, for models without native tool calling.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseReAct(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new Chains.Agents.ReActChatClient(inner));
    }
}
