using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Chains.LLamaSharp;

/// <summary>
/// Downloads model files (GGUF weights, LoRA adapters) into a cache folder: an interrupted transfer resumes where it
/// stopped (HTTP Range), the result is checked against its SHA-256, progress is reported, and the file appears under
/// its final name only when complete (written as <c>.partial</c>, then renamed atomically).
/// </summary>
/// <remarks>The <see cref="HttpClient"/> is the caller's (use <c>IHttpClientFactory</c> in apps); this class never
/// disposes it. One instance may download several files concurrently; two downloads of the same URL at once are not
/// supported (the second fails to open the partial file).</remarks>
public sealed class ModelDownloader
{
    private const int BufferSize = 1 << 17;
    private readonly HttpClient _http;
    private readonly ModelDownloaderOptions _options;

    /// <summary>Initializes a new instance of the <see cref="ModelDownloader"/> class.</summary>
    /// <param name="httpClient">The client to download with.</param>
    /// <param name="cacheDirectory">The folder files are kept in (created if missing).</param>
    /// <param name="options">Retries and timing; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="cacheDirectory"/> is empty, or an option is out of range.</exception>
    public ModelDownloader(HttpClient httpClient, string cacheDirectory, ModelDownloaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        options ??= new ModelDownloaderOptions();
        if (options.MaxAttempts < 1 || options.RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"ModelDownloaderOptions.MaxAttempts must be at least 1 and RetryDelay not negative (were {options.MaxAttempts} and {options.RetryDelay}).", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.TimeProvider, "options.TimeProvider");
        _http = httpClient;
        _options = options;
        CacheDirectory = Path.GetFullPath(cacheDirectory);
    }

    /// <summary>Gets the cache folder.</summary>
    public string CacheDirectory { get; }

    /// <summary>Gets where <paramref name="url"/> is (or will be) cached: the file name of the URL, prefixed with a short
    /// hash of the whole URL so equal names from different sources do not collide.</summary>
    /// <param name="url">The file's absolute HTTP(S) URL.</param>
    /// <returns>The cache path.</returns>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not an absolute HTTP(S) URL.</exception>
    public string GetCachePath(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an absolute HTTP(S) URL.", nameof(url));
        }

        var name = Path.GetFileName(Uri.UnescapeDataString(url.AbsolutePath));
        var safe = new StringBuilder();
        foreach (var c in string.IsNullOrEmpty(name) ? "model.gguf" : name)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)))[..12];
        return Path.Combine(CacheDirectory, $"{hash}-{safe}");
    }

    /// <summary>Downloads <paramref name="url"/> into the cache unless it is there already, and returns its path.</summary>
    /// <param name="url">The file's absolute HTTP(S) URL.</param>
    /// <param name="sha256">The expected SHA-256 (hex); when given, a cached or downloaded file must match it.</param>
    /// <param name="progress">Receives progress after every chunk written.</param>
    /// <param name="cancellationToken">Cancels the download; the partial file stays and a later call resumes it.</param>
    /// <returns>The path of the complete file.</returns>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not an absolute HTTP(S) URL, or <paramref name="sha256"/> is not 64 hex digits.</exception>
    /// <exception cref="HttpRequestException">The server answered with an error, or the transfer failed on every attempt.</exception>
    /// <exception cref="InvalidDataException">The file's SHA-256 or length is not what was expected (the download is discarded).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> DownloadAsync(Uri url, string? sha256 = null, IProgress<ModelDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var path = GetCachePath(url);
        if (sha256 is not null && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit)))
        {
            throw new ArgumentException($"'{sha256}' is not a SHA-256 (64 hex digits).", nameof(sha256));
        }

        Directory.CreateDirectory(CacheDirectory);
        if (File.Exists(path))
        {
            if (sha256 is null || string.Equals(await HashAsync(path, cancellationToken).ConfigureAwait(false), sha256, StringComparison.OrdinalIgnoreCase))
            {
                return path;
            }

            File.Delete(path);
        }

        var partial = path + ".partial";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TransferAsync(url, partial, progress, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (attempt < _options.MaxAttempts && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (_options.RetryDelay > TimeSpan.Zero)
                {
                    await Task.Delay(_options.RetryDelay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (sha256 is not null)
        {
            var actual = await HashAsync(partial, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(partial);
                throw new InvalidDataException($"'{url}' downloaded with SHA-256 {actual}, not the expected {sha256.ToLowerInvariant()}; the download was discarded.");
            }
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }

    private async Task TransferAsync(Uri url, string partial, IProgress<ModelDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (existing > 0)
        {
            request.Headers.Range = new RangeHeaderValue(existing, null);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && existing > 0)
        {
            // The partial file already holds everything (a previous attempt failed after the last byte).
            var total = response.Content.Headers.ContentRange?.Length;
            if (total == existing)
            {
                progress?.Report(new ModelDownloadProgress(existing, total, Resumed: true));
                return;
            }

            File.Delete(partial);
            throw new HttpRequestException($"The server rejected resuming '{url}' at byte {existing.ToString(CultureInfo.InvariantCulture)}; the partial file was discarded.", null, response.StatusCode);
        }

        response.EnsureSuccessStatusCode();
        var resumed = existing > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (resumed && response.Content.Headers.ContentRange?.From != existing)
        {
            throw new HttpRequestException($"The server resumed '{url}' at the wrong offset ({response.Content.Headers.ContentRange}).");
        }

        var offset = resumed ? existing : 0;
        var totalBytes = resumed ? response.Content.Headers.ContentRange?.Length : response.Content.Headers.ContentLength;
        using var file = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var received = offset;
            progress?.Report(new ModelDownloadProgress(received, totalBytes, resumed));
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                received += read;
                progress?.Report(new ModelDownloadProgress(received, totalBytes, resumed));
            }

            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (totalBytes is { } expected && received != expected)
            {
                throw new IOException($"'{url}' ended after {received} of {expected} bytes.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        HttpRequestException { StatusCode: null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError } => true,
        IOException => true,
        _ => false,
    };

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}

/// <summary>Retry settings of a <see cref="ModelDownloader"/>.</summary>
public sealed class ModelDownloaderOptions
{
    /// <summary>Gets how many times a failed transfer is tried (each retry resumes). Defaults to 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Gets the pause before a retry. Defaults to one second.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the time source of the retry pause. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>How far a download has come.</summary>
/// <param name="BytesReceived">The bytes in the file so far (including those of earlier attempts).</param>
/// <param name="TotalBytes">The file size, when the server says.</param>
/// <param name="Resumed">Whether this transfer continues an earlier, interrupted one.</param>
public readonly record struct ModelDownloadProgress(long BytesReceived, long? TotalBytes, bool Resumed);
