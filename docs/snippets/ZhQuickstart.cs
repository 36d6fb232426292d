// docs/zh/quickstart.md（中文快速入门）的代码，由 tests/Chains.Docs.Tests 编译并运行。
// <snippet:zh-usings>
using System.ClientModel;
using Chains.Indexes;
using Chains.Indexes.Loaders;
using Chains.Indexes.Retrievers;
using Chains.Indexes.Splitters;
using Chains.Indexes.VectorStores;
using Chains.Memory;
using Chains.Onnx;
using Chains.Parsing;
using Chains.Prompts;
using Chains.Rag;
using Chains.Runnables;
using Microsoft.Extensions.AI;
using OpenAI;
// </snippet:zh-usings>

namespace Chains.Docs.Snippets;

// <snippet:zh-types>
public sealed record 翻译请求(string 原文, string 目标语言);
// </snippet:zh-types>

/// <summary>中文快速入门：连接模型、第一条链、流式输出、中文文档问答、多轮对话。</summary>
public static class ZhQuickstart
{
    /// <summary>员工手册的三个文件（测试把它们写进临时目录）。</summary>
    public static readonly IReadOnlyDictionary<string, string> Handbook = new Dictionary<string, string>
    {
        ["年假.txt"] = "入职满一年的员工每年享有十天带薪年假。年假需要提前三个工作日在系统中申请。当年未休完的年假可以顺延到次年三月底。",
        ["报销.txt"] = "出差的交通费和住宿费可以报销。报销时需要在三十天内提交发票和审批单。超过标准的住宿费由员工自己承担。",
        ["远程办公.txt"] = "员工每周最多可以远程办公两天。远程办公期间需要保持通讯畅通。新员工在试用期内不能远程办公。",
    };

    /// <summary>连接一个兼容 OpenAI 接口的服务（只创建客户端，不发送请求）。</summary>
    public static IChatClient CreateClient()
    {
        // <snippet:zh-client>
        // Ollama、vLLM、llama.cpp server、通义千问、DeepSeek……任何兼容 OpenAI 接口的服务都可以。
        IChatClient client = new OpenAIClient(
                new ApiKeyCredential("本地服务随便填"),
                new OpenAIClientOptions { Endpoint = new Uri("http://localhost:11434/v1") })
            .GetChatClient("qwen2.5:7b")
            .AsIChatClient();
        // </snippet:zh-client>
        return client;
    }

    /// <summary>提示词 → 模型 → 解析器。</summary>
    public static async Task<string> FirstChainAsync(IChatClient client)
    {
        // <snippet:zh-chain>
        Runnable<翻译请求, string> 翻译 =
            new PromptTemplate<翻译请求>("把下面这句话翻译成{目标语言}，只输出译文：{原文}")
                .Pipe(client.AsRunnable())
                .Pipe(new StringOutputParser());

        string 译文 = await 翻译.InvokeAsync(new 翻译请求("今天天气很好。", "英文"));
        Console.WriteLine(译文);
        // </snippet:zh-chain>
        return 译文;
    }

    /// <summary>流式输出。</summary>
    public static async Task StreamAsync(IChatClient client)
    {
        var chain = new PromptTemplate<翻译请求>("把下面这句话翻译成{目标语言}，只输出译文：{原文}")
            .Pipe(client.AsRunnable())
            .Pipe(new StringOutputParser());

        // <snippet:zh-stream>
        await foreach (string 片段 in chain.StreamAsync(new 翻译请求("流式输出让用户更早看到回答。", "日文")))
        {
            Console.Write(片段);   // 汉字和表情符号不会被截成半个
        }
        // </snippet:zh-stream>
    }

    /// <summary>中文文档问答：加载、切分、向量 + 关键词混合检索、带引用的回答。</summary>
    public static async Task<(IReadOnlyList<Document> Found, RagAnswer Answer)> AskHandbookAsync(IChatClient client, string folder)
    {
        foreach (var (name, text) in Handbook)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), text);
        }

        // <snippet:zh-index>
        // 1. 加载目录里的 .txt 文件（UTF-8、GB18030/GBK 都能识别），按句号切成小块
        var splitter = new RecursiveCharacterTextSplitter(new RecursiveCharacterTextSplitterOptions { ChunkSize = 60, ChunkOverlap = 0 });
        var chunks = new List<Document>();
        await foreach (Document chunk in splitter.SplitAsync(new DirectoryLoader(folder).LoadAsync()))
        {
            chunks.Add(chunk);
        }

        // 2. 离线向量（all-MiniLM-L6-v2，无需网络和密钥）存进进程内向量库
        using var embedder = new MiniLmEmbeddingGenerator();
        using var store = new InMemoryVectorStore();
        var vectors = await embedder.GenerateAsync(chunks.Select(c => c.Content));
        await store.UpsertAsync([.. chunks.Select((c, i) => new VectorRecord(c, vectors[i].Vector))]);

        // 3. MiniLM 主要是英文模型：中文检索再加上 BM25 关键词（按汉字二元组切词），两路结果用 RRF 融合
        var keywords = new Bm25Index();
        keywords.Upsert(chunks);
        var retriever = new HybridRetriever(store, embedder, keywords, new HybridRetrieverOptions { Top = 3 });

        IReadOnlyList<Document> found = await retriever.InvokeAsync("年假没休完怎么办？");
        Console.WriteLine($"最相关：{found[0].Source}：{found[0].Content}");
        // </snippet:zh-index>

        // <snippet:zh-rag>
        var qa = new RetrievalQa(retriever, client);
        RagAnswer answer = await qa.InvokeAsync("出差住宿费怎么报销？");

        Console.WriteLine(answer.Answer);                       // 每句话后面带 [1]、[2] 这样的引用
        foreach (RagCitation citation in answer.Citations)
        {
            Console.WriteLine($"[{citation.Number}] {citation.Passage.Source}");
        }

        Console.WriteLine(answer.IsFullySupported ? "每句话都有出处" : "有句子没有出处，请核对");
        // </snippet:zh-rag>
        return (found, answer);
    }

    /// <summary>多轮对话：记住同一个会话里说过的话。</summary>
    public static async Task<IReadOnlyList<ChatMessage>> ConversationAsync(IChatClient client, string folder)
    {
        // <snippet:zh-memory>
        var history = new FileChatHistoryStore(Path.Combine(folder, "对话记录"));   // 每个会话一个 .jsonl 文件
        var prompt = new ChatPromptTemplate<string>(
            ChatMessageTemplate.System("你是一个简洁的助手，用中文回答。"),
            ChatMessageTemplate.User("{问题}"));

        Runnable<string, string> chat = prompt
            .Pipe(client.AsRunnable().WithHistory(history, sessionId: "小王", reducer: new WindowChatReducer(20)))
            .Pipe(new StringOutputParser());

        await chat.InvokeAsync("我下周去杭州出差。");
        string 回答 = await chat.InvokeAsync("我刚才说要去哪里？");   // 上一轮的问答也在提示词里

        IReadOnlyList<ChatMessage> 记录 = await history.LoadAsync("小王");
        Console.WriteLine($"{回答}（会话里已有 {记录.Count} 条消息）");
        // </snippet:zh-memory>
        return 记录;
    }
}
