using Microsoft.SemanticKernel;

namespace SemanticKernelInterop;

/// <summary>An SK function invocation filter that prints every function the kernel runs, with its arguments.</summary>
internal sealed class ConsoleFilter : IFunctionInvocationFilter
{
    /// <inheritdoc />
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        var arguments = string.Join(", ", context.Arguments.Select(a => $"{a.Key}={a.Value}"));
        Console.WriteLine($"  [SK filter] {context.Function.PluginName}.{context.Function.Name}({arguments})");
        await next(context);
    }
}
