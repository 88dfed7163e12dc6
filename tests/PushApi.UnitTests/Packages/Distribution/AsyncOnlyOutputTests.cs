using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>An HTTP response refuses synchronous writes; the writer must reach it only asynchronously.</summary>
public sealed class AsyncOnlyOutputTests
{
    private sealed class AsyncOnly : Stream
    {
        private readonly MemoryStream _inner = new();
        public byte[] Written => _inner.ToArray();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => throw new InvalidOperationException("sync flush");
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("sync write");
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) { _inner.Write(buffer.Span); return ValueTask.CompletedTask; }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) { _inner.Write(buffer, offset, count); return Task.CompletedTask; }
    }

    [Test]
    public async Task The_writer_writes_to_its_output_only_asynchronously_and_the_bytes_are_the_same()
    {
        var content = "{}"u8.ToArray();
        var item = ItemFiles.Describe(new ItemRef("Class", "A"), content, [], true);
        var archive = new PackageArchive(
            new PackageManifest(new ManifestPackage("033000000000001AAA", "P", null, true), new ManifestVersion("04t000000000001AAA", "v", 1, 0, 0, 1, "Released"), [], [item]),
            new Dictionary<string, byte[]> { [item.Path] = content });
        var asyncOnly = new AsyncOnly();
        await PackageArchiveWriter.WriteAsync(archive, asyncOnly, PackageArchiveWriter.DefaultTimestamp);
        using var memory = new MemoryStream();
        await PackageArchiveWriter.WriteAsync(archive, memory, PackageArchiveWriter.DefaultTimestamp);
        Assert.That(asyncOnly.Written, Is.EqualTo(memory.ToArray()));
    }
}
