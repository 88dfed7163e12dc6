using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace PushApi.Benchmarks.Plotting;

/// <summary>An RGB raster with lines, rectangles and 5x7 bitmap text, saved as a PNG (zlib through the BCL; no graphics library).</summary>
public sealed class PngCanvas
{
    private static readonly uint[] CrcTable = BuildCrcTable();
    private readonly byte[] _pixels;

    public PngCanvas(int width, int height, Rgb background)
    {
        Width = width;
        Height = height;
        _pixels = new byte[width * height * 3];
        FillRectangle(0, 0, width, height, background);
    }

    public int Width { get; }

    public int Height { get; }

    public void SetPixel(int x, int y, Rgb color)
    {
        if (x < 0 || y < 0 || x >= Width || y >= Height)
        {
            return;
        }

        var offset = ((y * Width) + x) * 3;
        _pixels[offset] = color.R;
        _pixels[offset + 1] = color.G;
        _pixels[offset + 2] = color.B;
    }

    public void FillRectangle(int x, int y, int width, int height, Rgb color)
    {
        for (var row = y; row < y + height; row++)
        {
            for (var column = x; column < x + width; column++)
            {
                SetPixel(column, row, color);
            }
        }
    }

    public void Rectangle(int x, int y, int width, int height, Rgb color)
    {
        Line(x, y, x + width, y, color);
        Line(x, y + height, x + width, y + height, color);
        Line(x, y, x, y + height, color);
        Line(x + width, y, x + width, y + height, color);
    }

    /// <summary>A straight line (Bresenham) of the given thickness in pixels; dashed when <paramref name="dash"/> is above 0 (that many pixels on, then off).</summary>
    public void Line(double x0, double y0, double x1, double y1, Rgb color, int thickness = 1, int dash = 0)
    {
        int ax = (int)Math.Round(x0), ay = (int)Math.Round(y0), bx = (int)Math.Round(x1), by = (int)Math.Round(y1);
        int dx = Math.Abs(bx - ax), dy = -Math.Abs(by - ay), sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1, error = dx + dy;
        for (var step = 0; ; step++)
        {
            if (dash <= 0 || step / dash % 2 == 0)
            {
                FillRectangle(ax - ((thickness - 1) / 2), ay - ((thickness - 1) / 2), thickness, thickness, color);
            }

            if (ax == bx && ay == by)
            {
                return;
            }

            var doubled = 2 * error;
            if (doubled >= dy)
            {
                error += dy;
                ax += sx;
            }

            if (doubled <= dx)
            {
                error += dx;
                ay += sy;
            }
        }
    }

    /// <summary>The width in pixels of <paramref name="text"/> at <paramref name="scale"/> (a glyph and a column of space per character).</summary>
    public static int TextWidth(string text, int scale) => text.Length * (BitmapFont.Width + 1) * scale;

    public static int TextHeight(int scale) => BitmapFont.Height * scale;

    /// <summary>Text with its top-left corner at (x, y); <paramref name="vertical"/> turns it a quarter left (read bottom to top), its top-left then being (x, y + width).</summary>
    public void Text(int x, int y, string text, Rgb color, int scale = 2, bool vertical = false)
    {
        var advance = (BitmapFont.Width + 1) * scale;
        for (var i = 0; i < text.Length; i++)
        {
            for (var column = 0; column < BitmapFont.Width; column++)
            {
                for (var row = 0; row < BitmapFont.Height; row++)
                {
                    if (!BitmapFont.IsSet(text[i], column, row))
                    {
                        continue;
                    }

                    var along = (i * advance) + (column * scale);
                    if (vertical)
                    {
                        FillRectangle(x + (row * scale), y + TextWidth(text, scale) - along - scale, scale, scale, color);
                    }
                    else
                    {
                        FillRectangle(x + along, y + (row * scale), scale, scale, color);
                    }
                }
            }
        }
    }

    public async Task SaveAsync(string path)
    {
        await using var file = File.Create(path);
        await file.WriteAsync(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8; // bits per sample
        header[9] = 2; // truecolour (RGB)
        await WriteChunkAsync(file, "IHDR", header);

        using var compressed = new MemoryStream();
        await using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var row = 0; row < Height; row++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(_pixels, row * Width * 3, Width * 3);
            }
        }

        await WriteChunkAsync(file, "IDAT", compressed.ToArray());
        await WriteChunkAsync(file, "IEND", []);
    }

    private static async Task WriteChunkAsync(Stream stream, string type, byte[] data)
    {
        var chunk = new byte[data.Length + 12];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc(chunk.AsSpan(4, data.Length + 4)));
        await stream.WriteAsync(chunk);
    }

    private static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}

/// <summary>A colour of <see cref="PngCanvas"/>.</summary>
public readonly record struct Rgb(byte R, byte G, byte B);
