using Chains.Indexes;
using Chains.Indexes.VectorStores;

namespace Chains.Tests.Indexes.Retrievers;

/// <summary>Small English and Chinese corpora embedded with <see cref="BagOfWordsEmbeddingGenerator"/>.</summary>
internal static class TestCorpus
{
    public static readonly Document[] English =
    [
        new("cats", "The cat sleeps on the warm rug all afternoon.", Meta("topic", "pets")),
        new("dogs", "A dog fetches the ball in the park.", Meta("topic", "pets")),
        new("stocks", "Stock markets fell sharply as interest rates rose.", Meta("topic", "finance")),
        new("bonds", "Bond yields rose while interest rates climbed again.", Meta("topic", "finance")),
        new("rugs", "A wool rug keeps the floor warm in winter.", Meta("topic", "home")),
    ];

    public static readonly Document[] Chinese =
    [
        new("zh-vector", "向量数据库用于存储嵌入向量并按相似度检索。", Meta("lang", "zh")),
        new("zh-weather", "今天北京的天气晴朗，气温二十五度。", Meta("lang", "zh")),
        new("zh-cooking", "红烧肉需要酱油、冰糖和慢火炖煮。", Meta("lang", "zh")),
        new("zh-train", "高铁从上海到北京大约需要四个半小时。", Meta("lang", "zh")),
        new("en-vector", "Vector databases store embeddings for similarity search.", Meta("lang", "en")),
    ];

    public static async Task<InMemoryVectorStore> StoreAsync(IEnumerable<Document> documents, CancellationToken cancellationToken)
    {
        var store = new InMemoryVectorStore();
        await store.UpsertAsync(documents.Select(d => new VectorRecord(d, BagOfWordsEmbeddingGenerator.Embed(d.Content))).ToArray(), cancellationToken);
        return store;
    }

    public static string[] Ids(IEnumerable<Document> documents) => documents.Select(d => d.Id).ToArray();

    private static DocumentMetadata Meta(string key, object value) => new([new(key, value)]);
}
