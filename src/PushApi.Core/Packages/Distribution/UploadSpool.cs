using System.Buffers;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// Copies an upload to a temporary file that is deleted when closed, counting as it goes and stopping past
/// the limit. A ZIP is read from its end, so the request body (which cannot seek) has to land somewhere;
/// on disk, it costs the process one buffer whatever its size.
/// </summary>
internal static class UploadSpool
{
    private const int BufferSize = 81_920;

    public static async Task<FileStream> CopyAsync(Stream upload, long maxBytes, string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "pushapi-package-" + Path.GetRandomFileName());
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.DeleteOnClose);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await upload.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw new ArchiveRejectedException(ArchiveProblemCodes.UploadTooLarge, null, $"The upload is larger than {maxBytes} bytes, the most a package file may be.");
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await file.FlushAsync(cancellationToken);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
