using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;

namespace Microsoft.Extensions.AI;

/// <summary>Makes a set of Chains tools (steps, retrievers and agents made tools with <c>AsTool</c>, MCP tools,
/// <see cref="AIFunctionFactory"/> functions) a Semantic Kernel plugin.</summary>
public static partial class AIToolKernelPluginExtensions
{
    /// <summary>Makes the tools one kernel plugin; each becomes a kernel function with the tool's name, description
    /// and parameter schema (SK's own <see cref="AIFunctionExtensions.AsKernelFunction"/> adapter).</summary>
    /// <param name="tools">The tools; each must be an <see cref="AIFunction"/> (hosted tools run at the model's
    /// service, so SK cannot invoke them).</param>
    /// <param name="pluginName">The plugin's name: ASCII letters, digits and <c>_</c> (SK's rule).</param>
    /// <param name="description">What the plugin offers, or <see langword="null"/>.</param>
    /// <returns>The plugin; add it with <c>kernel.Plugins.Add(plugin)</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tools"/> or <paramref name="pluginName"/> is <see langword="null"/>,
    /// or <paramref name="tools"/> holds <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="pluginName"/> is not a valid plugin name, a tool is not an
    /// <see cref="AIFunction"/>, or two tools share a name.</exception>
    public static KernelPlugin AsKernelPlugin(this IEnumerable<AITool> tools, string pluginName, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(pluginName);
        if (!PluginName().IsMatch(pluginName))
        {
            throw new ArgumentException($"'{pluginName}' is not a valid plugin name: use one or more ASCII letters, digits or '_' (no '-', '.' or spaces).", nameof(pluginName));
        }

        var functions = new List<KernelFunction>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var tool in tools)
        {
            ArgumentNullException.ThrowIfNull(tool, nameof(tools));
            if (tool is not AIFunction function)
            {
                throw new ArgumentException($"The tool '{tool.Name}' ({tool.GetType().Name}) is not an AIFunction: a kernel can only invoke functions, so leave hosted tools out of the plugin.", nameof(tools));
            }

            if (!names.Add(function.Name))
            {
                throw new ArgumentException($"Two tools are named '{function.Name}' (names are compared ignoring case in a plugin); rename one.", nameof(tools));
            }

            functions.Add(function.AsKernelFunction());
        }

        return KernelPluginFactory.CreateFromFunctions(pluginName, description, functions);
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex PluginName();
}
