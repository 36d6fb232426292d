using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Chains.SemanticKernel;

/// <summary>A step's tool with the JSON schema of what it returns, which SK copies into the function's return parameter
/// metadata (planners and function-calling models read it).</summary>
internal sealed class TypedReturnFunction(AIFunction inner, JsonElement returnSchema) : DelegatingAIFunction(inner)
{
    public override JsonElement? ReturnJsonSchema { get; } = returnSchema;
}
