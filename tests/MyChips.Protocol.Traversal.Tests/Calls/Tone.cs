using System.Buffers.Binary;

namespace MyChips.Protocol.Traversal.Tests.Calls;

/// <summary>A synthetic audio stream: a 440 Hz sine, 8 kHz 16-bit PCM, cut into 20 ms frames of 160 samples.</summary>
internal static class Tone
{
    public const int SamplesPerFrame = 160;

    public static byte[][] Frames(int count)
    {
        var frames = new byte[count][];
        for (var f = 0; f < count; f++)
        {
            frames[f] = new byte[SamplesPerFrame * 2];
            for (var s = 0; s < SamplesPerFrame; s++)
            {
                var t = (f * SamplesPerFrame + s) / 8000.0;
                var sample = (short)(Math.Sin(2 * Math.PI * 440 * t) * 12000);
                BinaryPrimitives.WriteInt16LittleEndian(frames[f].AsSpan(s * 2), sample);
            }
        }
        return frames;
    }
}
