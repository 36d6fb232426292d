using Microsoft.Extensions.AI;

namespace Chains.Rag;

/// <summary>A follow-up question in a conversation, the input of <see cref="ConversationalRetrievalQa"/>.</summary>
/// <param name="Question">The user's latest question, which may refer to earlier turns ("and what about its population?").</param>
/// <param name="History">The conversation so far, oldest first; empty for the first question.</param>
public sealed record ConversationalQuestion(string Question, IReadOnlyList<ChatMessage> History);
