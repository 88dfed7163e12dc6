using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PushApi.Cli.Api;
using Spectre.Console;

namespace PushApi.Cli.Terminal;

/// <summary>Uploads and downloads of files with a progress bar on a terminal (and a plain line elsewhere).</summary>
public static class Transfers
{
    /// <summary>Posts a file as the body of <paramref name="path"/> and returns the JSON answer; the bar follows the upload, then the server's work.</summary>
    public static async Task<JsonElement> UploadAsync(Output output, PushApiClient client, string path, string file, string mediaType, CancellationToken cancellationToken)
    {
        await using var stream = LocalFiles.OpenRead(file);
        var length = stream.Length;
        if (!output.Interactive)
        {
            if (!output.Json)
            {
                output.Line($"Uploading {Path.GetFileName(file)} ({Size(length)})…");
            }

            return await client.PostAsync(path, new ProgressContent(stream, mediaType, _ => { }), cancellationToken);
        }

        return await output.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var upload = progress.AddTask($"Uploading {Markup.Escape(Path.GetFileName(file))}", maxValue: Math.Max(1, length));
                var server = progress.AddTask("Waiting for the server", autoStart: false).IsIndeterminate();
                var content = new ProgressContent(stream, mediaType, sent =>
                {
                    upload.Value = sent;
                    if (sent >= length)
                    {
                        server.StartTask();
                    }
                });
                var answer = await client.PostAsync(path, content, cancellationToken);
                upload.Value = upload.MaxValue;
                server.IsIndeterminate(false).Value = server.MaxValue;
                return answer;
            });
    }

    /// <summary>Gets <paramref name="path"/> into a file, with a bar when the size is known; returns the bytes written.</summary>
    public static async Task<long> DownloadAsync(Output output, PushApiClient client, string path, string file, CancellationToken cancellationToken)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var target = LocalFiles.Create(file);
        var length = response.Content.Headers.ContentLength;
        if (!output.Interactive)
        {
            await source.CopyToAsync(target, cancellationToken);
            return target.Length;
        }

        await output.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"Downloading {Markup.Escape(Path.GetFileName(file))}", maxValue: length ?? 1);
                task.IsIndeterminate(length is null);
                var buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    task.Value = length is null ? 0 : target.Length;
                }

                task.IsIndeterminate(false).Value = task.MaxValue;
            });
        return target.Length;
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes / 1024.0 / 1024.0:0.0} MiB",
    };

    /// <summary>A file as a request body that reports how much of it was sent.</summary>
    private sealed class ProgressContent : HttpContent
    {
        private readonly Stream _source;
        private readonly Action<long> _sent;

        public ProgressContent(Stream source, string mediaType, Action<long> sent)
        {
            _source = source;
            _sent = sent;
            Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await _source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
                _sent(total);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _source.Length;
            return true;
        }
    }
}
