using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chains.LLamaSharp.Tests.Support;

/// <summary>A tiny HTTP server on 127.0.0.1 that serves one file with Range support and can cut the first transfer
/// short (the connection is aborted mid-body), as a flaky network would.</summary>
internal sealed class LoopbackFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _content;
    private readonly int? _dropFirstAfter;
    private readonly Task _loop;
    private int _requests;

    public LoopbackFileServer(byte[] content, int? dropFirstAfter = null)
    {
        _content = content;
        _dropFirstAfter = dropFirstAfter;
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

    /// <summary>Gets the Range header of every request ("" when none), in order.</summary>
    public ConcurrentQueue<string> Ranges { get; } = new();

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        var number = Interlocked.Increment(ref _requests);
        var response = context.Response;
        var range = context.Request.Headers["Range"] ?? string.Empty;
        Ranges.Enqueue(range);
        if (!context.Request.Url!.AbsolutePath.EndsWith(".gguf", StringComparison.Ordinal))
        {
            response.StatusCode = 404;
            response.Close();
            return;
        }

        long start = 0;
        if (range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            start = long.Parse(range["bytes=".Length..].TrimEnd('-'), CultureInfo.InvariantCulture);
            if (start >= _content.Length)
            {
                response.StatusCode = 416;
                response.Headers["Content-Range"] = $"bytes */{_content.Length}";
                response.Close();
                return;
            }

            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{_content.Length - 1}/{_content.Length}";
        }

        response.ContentLength64 = _content.Length - start;
        response.SendChunked = false;
        try
        {
            if (number == 1 && _dropFirstAfter is { } drop)
            {
                await response.OutputStream.WriteAsync(_content.AsMemory((int)start, drop));
                await response.OutputStream.FlushAsync();
                await Task.Delay(50, CancellationToken.None);
                response.Abort();
                return;
            }

            await response.OutputStream.WriteAsync(_content.AsMemory((int)start));
            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            response.Abort();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
