using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace SemanticKernelInterop;

/// <summary>An ordinary SK plugin: C# methods marked with <see cref="KernelFunctionAttribute"/>.</summary>
internal sealed class TravelPlugin
{
    /// <summary>Gets today's weather of a city (fixed data, so the sample runs offline).</summary>
    /// <param name="city">The city.</param>
    /// <returns>The forecast.</returns>
    [KernelFunction("get_weather")]
    [Description("Gets today's weather of a city.")]
    public static string GetWeather([Description("The city, e.g. 上海 or Paris.")] string city) => city switch
    {
        "上海" or "Shanghai" => "上海今天晴，气温 25°C。",
        "北京" or "Beijing" => "北京今天多云，气温 18°C。",
        "Paris" or "巴黎" => "Paris: light rain, 14°C.",
        _ => $"No forecast for {city}.",
    };

    /// <summary>Converts degrees Celsius to degrees Fahrenheit.</summary>
    /// <param name="celsius">Degrees Celsius.</param>
    /// <returns>Degrees Fahrenheit.</returns>
    [KernelFunction("to_fahrenheit")]
    [Description("Converts degrees Celsius to degrees Fahrenheit.")]
    public static double ToFahrenheit([Description("Degrees Celsius.")] double celsius) => (celsius * 9 / 5) + 32;
}
