using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Chains.SemanticKernel;

/// <summary>
/// A kernel function as a tool. Unlike SK's own <see cref="AIFunction"/> view of a <see cref="KernelFunction"/> (which
/// calls the function's core directly), a call goes through <see cref="KernelFunction.InvokeAsync(Kernel, KernelArguments, CancellationToken)"/>,
/// so the kernel's function invocation filters, logging, spans and metrics apply as for any kernel call.
/// </summary>
internal sealed class KernelFunctionTool : AIFunction
{
    private readonly KernelFunction _function;
    private readonly Kernel _kernel;

    public KernelFunctionTool(KernelFunction function, Kernel kernel)
    {
        _function = function;
        _kernel = kernel;

        // SK's fully qualified tool name (FullyQualifiedAIFunction.Name, KernelPlugin.AsAIFunctions).
        Name = string.IsNullOrEmpty(function.PluginName) ? function.Name : $"{function.PluginName}_{function.Name}";
    }

    public override string Name { get; }

    public override string Description => _function.Description;

    public override JsonElement JsonSchema => _function.JsonSchema;

    public override JsonElement? ReturnJsonSchema => _function.Metadata.ReturnParameter.Schema?.RootElement;

    public override JsonSerializerOptions JsonSerializerOptions => _function.JsonSerializerOptions;

    public override MethodInfo? UnderlyingMethod => _function.UnderlyingMethod;

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(_function) ? _function
            : serviceKey is null && serviceType.IsInstanceOfType(_kernel) ? _kernel
            : base.GetService(serviceType, serviceKey);
    }

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var result = await _function.InvokeAsync(_kernel, new KernelArguments(arguments), cancellationToken).ConfigureAwait(false);
        return result.GetValue<object>() switch
        {
            null => null,
            string text => text,

            // Prompt functions return chat message content: the model wants its text.
            KernelContent or IEnumerable<KernelContent> => result.ToString(),
            var value => JsonSerializer.SerializeToElement(value, JsonSerializerOptions.GetTypeInfo(value.GetType())),
        };
    }
}
