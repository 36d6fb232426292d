using System.ComponentModel;
using System.Reflection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Chains.McpTestServer;

/// <summary>The MCP stdio server: every <see cref="McpServerToolAttribute"/> method of <see cref="TestTools"/>.</summary>
internal static class TestMcpServer
{
    public static async Task RunAsync()
    {
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "chains-test", Version = "1.0.0" },
            ToolCollection = [],
        };
        foreach (var method in typeof(TestTools).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<McpServerToolAttribute>() is not null)
            {
                options.ToolCollection.Add(McpServerTool.Create(method, (object?)null));
            }
        }

        await using var server = McpServer.Create(new StdioServerTransport("chains-test"), options);
        await server.RunAsync();
    }
}

/// <summary>The tools the test server offers, with the annotations a client maps to approval.</summary>
[McpServerToolType]
public static class TestTools
{
    [McpServerTool(Name = "add", ReadOnly = true, Idempotent = true), Description("Adds two integers.")]
    public static int Add([Description("The first number.")] int a, [Description("The second number.")] int b) => a + b;

    [McpServerTool(Name = "echo", ReadOnly = true), Description("Returns the text unchanged.")]
    public static string Echo(string text) => text;

    [McpServerTool(Name = "fail", ReadOnly = true), Description("Always fails with the given message.")]
    public static string Fail(string message) => throw new McpException(message);

    [McpServerTool(Name = "write_note", Destructive = true), Description("Stores a note.")]
    public static string WriteNote(string text) => $"stored {text.Length} characters";
}
