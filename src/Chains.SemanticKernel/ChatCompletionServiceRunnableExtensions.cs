using Chains.Prompts;
using Chains.Runnables;
using Microsoft.Extensions.AI;

namespace Microsoft.SemanticKernel.ChatCompletion;

/// <summary>Makes a Semantic Kernel chat service a step of a Chains chain.</summary>
/// <remarks>The other direction needs nothing from Chains: SK's <c>chatClient.AsChatCompletionService()</c> makes any
/// <see cref="IChatClient"/> (including Chains' local models and middleware) an <see cref="IChatCompletionService"/>.</remarks>
public static class ChatCompletionServiceRunnableExtensions
{
    /// <summary>Makes the chat service a step: a prompt in, the <see cref="ChatResponse"/> out, streamed update by
    /// update. The service is adapted with SK's own <see cref="ChatCompletionServiceExtensions.AsChatClient"/>, then made
    /// a step like any <see cref="IChatClient"/> (<see cref="ChainsModelExtensions.AsRunnable(IChatClient, ChatOptions)"/>).</summary>
    /// <param name="service">The chat service (an SK connector, or <c>kernel.GetRequiredService&lt;IChatCompletionService&gt;()</c>).</param>
    /// <param name="options">Options sent with every request (model, temperature, response format...).</param>
    /// <returns>The step.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> is <see langword="null"/>.</exception>
    public static Runnable<PromptValue, ChatResponse> AsRunnable(this IChatCompletionService service, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.AsChatClient().AsRunnable(options);
    }
}
