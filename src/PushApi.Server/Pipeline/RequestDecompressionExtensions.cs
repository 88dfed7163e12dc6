namespace PushApi.Server.Pipeline;

/// <summary>
/// Compressed request bodies (Content-Encoding gzip, deflate, br) are decompressed as endpoints read them. The
/// decompression removes the header, so its value is kept first: a body that does not decompress is then told
/// apart from other unreadable data and answered as the client's mistake (<see cref="BadRequests.FromUnreadableBody"/>).
/// </summary>
public static class RequestDecompressionExtensions
{
    public const string ContentEncodingItem = "pushapi.content-encoding";

    public static WebApplication UsePushApiRequestDecompression(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var encoding = context.Request.Headers.ContentEncoding.ToString();
            if (encoding.Length > 0)
            {
                context.Items[ContentEncodingItem] = encoding;
            }

            return next(context);
        });
        app.UseRequestDecompression();
        return app;
    }
}
