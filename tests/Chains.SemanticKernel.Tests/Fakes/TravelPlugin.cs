using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace Chains.SemanticKernel.Tests.Fakes;

/// <summary>An ordinary SK plugin: C# methods marked [KernelFunction], recording each call.</summary>
public sealed class TravelPlugin
{
    public ConcurrentQueue<string> Calls { get; } = new();

    [KernelFunction("get_weather")]
    [Description("Gets today's weather of a city.")]
    public string GetWeather([Description("The city, e.g. 上海 or Paris.")] string city)
    {
        Calls.Enqueue($"get_weather({city})");
        return city switch
        {
            "上海" => "上海今天晴，气温 25°C。",
            "Paris" => "Paris: light rain, 14°C.",
            _ => $"No forecast for {city}.",
        };
    }

    [KernelFunction("to_fahrenheit")]
    [Description("Converts degrees Celsius to degrees Fahrenheit.")]
    public double ToFahrenheit([Description("Degrees Celsius.")] double celsius)
    {
        Calls.Enqueue($"to_fahrenheit({celsius})");
        return (celsius * 9 / 5) + 32;
    }

    [KernelFunction("book_hotel")]
    [Description("Books a hotel room.")]
    public string BookHotel([Description("The city.")] string city)
    {
        Calls.Enqueue($"book_hotel({city})");
        throw new InvalidOperationException($"No rooms left in {city}.");
    }
}
