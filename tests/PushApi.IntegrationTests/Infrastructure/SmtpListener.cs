using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// A small SMTP server on loopback that accepts every message and keeps it (the service's mails are
/// sent to it over real SMTP). Messages can be refused on demand to test retries.
/// </summary>
public sealed class SmtpListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SmtpListener()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<Mail> Received { get; } = new();

    /// <summary>How many of the next messages to refuse with a temporary error (451).</summary>
    public int RefuseNext { get; set; }

    /// <summary>
    /// When set, the next message is kept but never acknowledged (its sender waits for the 250 that
    /// does not come): the moment a crash between sending and recording a mail happens.
    /// </summary>
    public TaskCompletionSource<Mail>? HoldNext { get; set; }

    public async Task<List<Mail>> WaitForAsync(Func<List<Mail>, bool> condition, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime + timeout;
        while (!condition([.. Received]))
        {
            if (TimeProvider.System.GetUtcNow().UtcDateTime > deadline)
            {
                Assert.Fail($"The expected mail did not arrive; received: {string.Join(", ", Received.Select(m => $"{m.To}: {m.Subject}"))}");
            }

            await Task.Delay(50);
        }

        return [.. Received];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost test SMTP");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync() is { } line)
            {
                var command = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (command)
                {
                    case "EHLO":
                    case "HELO":
                        await writer.WriteLineAsync("250 localhost");
                        break;
                    case "MAIL":
                        from = line[(line.IndexOf(':') + 1)..].Trim(' ', '<', '>');
                        to.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        to.Add(line[(line.IndexOf(':') + 1)..].Trim(' ', '<', '>'));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        if (RefuseNext > 0)
                        {
                            RefuseNext--;
                            await writer.WriteLineAsync("451 Try again later");
                            break;
                        }

                        var mail = Mail.Parse(from ?? "", string.Join(",", to), data.ToString());
                        Received.Enqueue(mail);
                        if (HoldNext is { } hold)
                        {
                            HoldNext = null;
                            hold.TrySetResult(mail);
                            await reader.ReadLineAsync(); // until the sender goes away
                            return;
                        }

                        await writer.WriteLineAsync("250 Queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
    }

    public sealed record Mail(string From, string To, string Subject, string MessageId, string Body, string Raw)
    {
        public static Mail Parse(string from, string to, string raw)
        {
            var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var headers = (split < 0 ? raw : raw[..split]).Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);
            var body = split < 0 ? "" : raw[(split + 4)..];
            string Header(string name) => headers.Split("\r\n").FirstOrDefault(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "";
            var subject = DecodeWords(Header("Subject"));

            if (headers.Contains("Content-Transfer-Encoding: base64", StringComparison.OrdinalIgnoreCase))
            {
                body = Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Split("\r\n"))));
            }
            else if (headers.Contains("Content-Transfer-Encoding: quoted-printable", StringComparison.OrdinalIgnoreCase))
            {
                body = DecodeQuotedPrintable(body);
            }

            return new Mail(from, to, subject, Header("Message-ID"), body, raw);
        }

        /// <summary>Decodes RFC 2047 encoded words (=?utf-8?B?…?= and =?utf-8?Q?…?=).</summary>
        private static string DecodeWords(string value) => System.Text.RegularExpressions.Regex.Replace(
            value.Replace("?= =?", "?==?", StringComparison.Ordinal),
            @"=\?([^?]+)\?([BbQq])\?([^?]*)\?=",
            m => m.Groups[2].Value is "B" or "b"
                ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
                : DecodeQuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));

        private static string DecodeQuotedPrintable(string text)
        {
            var bytes = new List<byte>();
            var joined = text.Replace("=\r\n", "", StringComparison.Ordinal);
            for (var i = 0; i < joined.Length; i++)
            {
                if (joined[i] == '=' && i + 2 < joined.Length && Uri.IsHexDigit(joined[i + 1]) && Uri.IsHexDigit(joined[i + 2]))
                {
                    bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(joined[i].ToString()));
                }
            }

            return Encoding.UTF8.GetString([.. bytes]);
        }
    }
}
