using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Chains.LLamaSharp.Tests.Support;

/// <summary>A tool with a hand-written JSON schema (bounded strings keep the random-weight model's calls short).</summary>
internal sealed class SchemaFunction(string name, string schema, Func<AIFunctionArguments, object?> invoke) : AIFunction
{
    private readonly JsonElement _schema = JsonDocument.Parse(schema).RootElement.Clone();

    public override string Name => name;

    public override string Description => $"The {name} tool.";

    public override JsonElement JsonSchema => _schema;

    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        => ValueTask.FromResult(invoke(arguments));
}
