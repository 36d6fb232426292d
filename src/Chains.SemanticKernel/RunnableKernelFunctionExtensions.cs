using System.Text.Json;
using Chains.Agents;
using Chains.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Chains.Runnables;

/// <summary>
/// Makes Chains steps Semantic Kernel functions, so a kernel (its planners, prompt templates, agents and
/// <c>kernel.InvokeAsync</c>) can call a chain, a retriever or an agent.
/// </summary>
public static class RunnableKernelFunctionExtensions
{
    /// <summary>Makes a step a kernel function. An input record's properties become the function's parameters (with
    /// their JSON schema); any other input type is one parameter named <c>input</c> (text for an
    /// <see cref="AgentInput"/> or a prompt). The function returns the step's output: strings as they are, chat
    /// responses and agent results as their text, other values as the object itself.</summary>
    /// <typeparam name="TIn">The step's input type.</typeparam>
    /// <typeparam name="TOut">The step's output type.</typeparam>
    /// <param name="step">The step.</param>
    /// <param name="name">The function's name: letters, digits, <c>_</c> and <c>-</c>, at most 64 characters.</param>
    /// <param name="description">What the function does, for the model and for planners.</param>
    /// <param name="serializerOptions">Options for the parameter schema and for reading the arguments; default: M.E.AI's
    /// <see cref="AIJsonUtilities.DefaultOptions"/> (camelCase parameter names).</param>
    /// <returns>The function, not yet in any plugin: add it to one with <c>KernelPluginFactory.CreateFromFunctions</c> or
    /// <see cref="AIToolKernelPluginExtensions.AsKernelPlugin"/>, or invoke it with <c>kernel.InvokeAsync(function, arguments)</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="step"/>, <paramref name="name"/> or <paramref name="description"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid function name.</exception>
    /// <remarks>The function is SK's own adapter over the step's tool (<see cref="AgentToolExtensions.AsTool{TIn,TOut}"/>
    /// then <see cref="AIFunctionExtensions.AsKernelFunction"/>), so it runs through the kernel's function filters. A
    /// missing or unreadable argument fails the invocation with an <see cref="ArgumentException"/> or
    /// <see cref="JsonException"/> before the step runs.</remarks>
    public static KernelFunction AsKernelFunction<TIn, TOut>(this Runnable<TIn, TOut> step, string name, string description, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(description);
        var options = serializerOptions ?? AIJsonUtilities.DefaultOptions;
        var tool = step.AsTool(name, description, serializerOptions: options);
        return new TypedReturnFunction(tool, ReturnSchema<TOut>(options)).AsKernelFunction();
    }

    // The tool's default formatting turns these outputs into text.
    private static JsonElement ReturnSchema<TOut>(JsonSerializerOptions options)
        => typeof(TOut) == typeof(string) || typeof(AgentResult).IsAssignableFrom(typeof(TOut)) || typeof(TOut) == typeof(ChatResponse)
            ? AIJsonUtilities.CreateJsonSchema(typeof(string), serializerOptions: options)
            : AIJsonUtilities.CreateJsonSchema(typeof(TOut), serializerOptions: options);
}
