using Microsoft.Extensions.AI;

namespace Chains.Tests.Memory;

/// <summary>Checks shared by the reducer tests.</summary>
public static class ConversationAssert
{
    /// <summary>Every kept tool result comes after the call it answers, every kept call keeps the results the input had,
    /// and the conversation does not start with a tool result.</summary>
    public static void ToolCallsIntact(IReadOnlyList<ChatMessage> input, IReadOnlyList<ChatMessage> output)
    {
        var calls = new HashSet<string>();
        var firstConversation = true;
        foreach (var message in output)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            if (firstConversation)
            {
                Assert.DoesNotContain(message.Contents, c => c is FunctionResultContent);
                firstConversation = false;
            }

            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent call)
                {
                    calls.Add(call.CallId);
                }
                else if (content is FunctionResultContent result)
                {
                    Assert.Contains(result.CallId, calls);
                }
            }
        }

        var inputResults = input.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        var outputResults = output.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        foreach (var callId in calls.Where(inputResults.Contains))
        {
            Assert.Contains(callId, outputResults);
        }
    }

    /// <summary>The output is every system message of the input plus a contiguous tail of its other messages, in order.</summary>
    public static void SystemMessagesAndTail(IReadOnlyList<ChatMessage> input, IReadOnlyList<ChatMessage> output)
    {
        var firstKept = output.FirstOrDefault(m => m.Role != ChatRole.System);
        var from = firstKept is null ? input.Count : IndexOf(input, firstKept);
        var expected = input.Take(from).Where(m => m.Role == ChatRole.System).Concat(input.Skip(from)).ToList();
        Assert.Equal(expected.Count, output.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Same(expected[i], output[i]);
        }
    }

    private static int IndexOf(IReadOnlyList<ChatMessage> list, ChatMessage message)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], message))
            {
                return i;
            }
        }

        return -1;
    }
}
