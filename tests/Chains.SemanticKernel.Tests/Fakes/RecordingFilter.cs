using System.Collections.Concurrent;
using Microsoft.SemanticKernel;

namespace Chains.SemanticKernel.Tests.Fakes;

/// <summary>An SK function invocation filter that records which functions ran through the kernel.</summary>
public sealed class RecordingFilter : IFunctionInvocationFilter
{
    public ConcurrentQueue<string> Invoked { get; } = new();

    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        Invoked.Enqueue($"{context.Function.PluginName}.{context.Function.Name}");
        await next(context);
    }
}
