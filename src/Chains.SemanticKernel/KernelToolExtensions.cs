using Chains.SemanticKernel;
using Microsoft.Extensions.AI;

namespace Microsoft.SemanticKernel;

/// <summary>
/// Makes Semantic Kernel functions and plugins tools of a Chains agent (or of any <see cref="IChatClient"/> that takes
/// <see cref="AITool"/>s). A call runs through the kernel like <c>kernel.InvokeAsync(function)</c>: its services,
/// function invocation filters (<see cref="IFunctionInvocationFilter"/>), logging, spans and metrics apply, which SK's own
/// <see cref="KernelPlugin.AsAIFunctions(Kernel)"/> view skips.
/// </summary>
/// <remarks><para>Tool names are SK's fully qualified names, <c>PluginName_FunctionName</c> (as
/// <see cref="KernelPlugin.AsAIFunctions(Kernel)"/> names them), so functions of two plugins never clash.</para>
/// <para>A tool returns the function's value: text as text (a prompt function's chat message as its text), other values
/// as JSON written with the function's serializer options. A function that throws fails the tool call; an agent sends the
/// model an error result and goes on. SK's auto function invocation filters belong to SK's own chat loop and do not run
/// here; use the agent's tool approval instead.</para></remarks>
public static class KernelToolExtensions
{
    /// <summary>Makes a kernel function a tool that runs on <paramref name="kernel"/>.</summary>
    /// <param name="function">The function (from a plugin, a prompt, a method...).</param>
    /// <param name="kernel">The kernel whose services and filters the function runs with.</param>
    /// <returns>The tool, named <c>PluginName_FunctionName</c> (just the function name when it belongs to no plugin).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> or <paramref name="kernel"/> is <see langword="null"/>.</exception>
    public static AIFunction AsTool(this KernelFunction function, Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(kernel);
        return new KernelFunctionTool(function, kernel);
    }

    /// <summary>Makes every function of a plugin a tool that runs on <paramref name="kernel"/>.</summary>
    /// <param name="plugin">The plugin.</param>
    /// <param name="kernel">The kernel whose services and filters the functions run with.</param>
    /// <returns>One tool per function, named <c>PluginName_FunctionName</c>, in the plugin's order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="plugin"/> or <paramref name="kernel"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<AITool> AsTools(this KernelPlugin plugin, Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(kernel);
        return [.. plugin.Select(function => new KernelFunctionTool(function, kernel))];
    }

    /// <summary>Makes every function of every plugin of the kernel a tool that runs on the kernel.</summary>
    /// <param name="kernel">The kernel.</param>
    /// <returns>One tool per function, named <c>PluginName_FunctionName</c>, plugin by plugin.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kernel"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The kernel has no plugins (add some with
    /// <c>kernel.Plugins.AddFromType&lt;T&gt;()</c> or <c>builder.Plugins.AddFromObject(...)</c>).</exception>
    public static IReadOnlyList<AITool> AsTools(this Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Plugins.Count == 0)
        {
            throw new ArgumentException("The kernel has no plugins, so it has no tools to offer; add plugins first (kernel.Plugins.AddFromType<T>() or builder.Plugins.AddFromObject(...)).", nameof(kernel));
        }

        var tools = new List<AITool>();
        foreach (var plugin in kernel.Plugins)
        {
            tools.AddRange(plugin.Select(function => new KernelFunctionTool(function, kernel)));
        }

        return tools;
    }
}
