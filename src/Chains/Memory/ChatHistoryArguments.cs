using Microsoft.Extensions.AI;

namespace Chains.Memory;

/// <summary>Argument checks shared by the chat history stores.</summary>
internal static class ChatHistoryArguments
{
    /// <summary>Copies the messages of one append, rejecting <see langword="null"/> entries.</summary>
    public static ChatMessage[] ToBatch(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var batch = messages.ToArray();
        for (var i = 0; i < batch.Length; i++)
        {
            if (batch[i] is null)
            {
                throw new ArgumentException($"Message {i} of the batch is null.", nameof(messages));
            }
        }

        return batch;
    }
}
