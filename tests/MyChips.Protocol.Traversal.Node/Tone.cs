using System.Buffers.Binary;

namespace MyChips.Protocol.Traversal.Node;

/// <summary>The bench's synthetic audio: a 440 Hz sine, 8 kHz 16-bit PCM, in 20 ms frames of 160 samples.</summary>
public static class Tone
{
    public static byte[][] Frames(int count)
    {
        var frames = new byte[count][];
        for (var f = 0; f < count; f++)
        {
            frames[f] = new byte[320];
            for (var s = 0; s < 160; s++)
            {
                var t = (f * 160 + s) / 8000.0;
                BinaryPrimitives.WriteInt16LittleEndian(frames[f].AsSpan(s * 2), (short)(Math.Sin(2 * Math.PI * 440 * t) * 12000));
            }
        }
        return frames;
    }
}
