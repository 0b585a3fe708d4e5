using System.Diagnostics;
using System.Net;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Peer;

namespace MyChips.Protocol.Benchmarks.Ciyam;

/// <summary>
/// <c>ciyam-exchange [files] [bytes]</c>: a CIYAM listener and an initiator on loopback trade files of one size,
/// put and get in turn, and print the files and bytes each way, the rate and the largest imbalance seen.
/// </summary>
public static class CiyamExchange
{
    public static async Task RunAsync(int files, int bytes)
    {
        var root = Directory.CreateTempSubdirectory("ciyam-exchange-");
        try
        {
            var limits = new FilesAreaLimits { MaxFileBytes = bytes + 1, MaxFiles = 4 * files + 8, MaxTotalBytes = 4L * (files + 2) * (bytes + 1) };
            var listenerArea = new FilesArea(Path.Combine(root.FullName, "listener"), limits);
            var initiatorArea = new FilesArea(Path.Combine(root.FullName, "initiator"), limits);
            var mine = Fill(initiatorArea, files, bytes, 1);
            var theirs = Fill(listenerArea, files, bytes, 1_000_000);
            // The listener asks for the initiator's odd files itself; the initiator puts the even ones.
            var options = new CiyamPeerOptions { ChooseExtra = () => CiyamExtra.None, Wanted = mine.Where((_, i) => i % 2 == 1).ToList() };
            await using var listener = new CiyamListener(new IPEndPoint(IPAddress.Loopback, 0), listenerArea, options);
            listener.Start();
            await using var initiator = await CiyamInitiator.ConnectAsync("127.0.0.1", listener.LocalEndPoint.Port, initiatorArea, options);
            await initiator.GreetAsync();

            var clock = Stopwatch.StartNew();
            long worst = 0;
            for (var turn = 0; turn < files / 2; turn++)
            {
                await initiator.PutAsync(mine[2 * turn]);
                worst = Math.Max(worst, Math.Abs(initiator.Traffic.BytesSent - initiator.Traffic.BytesReceived));
                await initiator.GetAsync(theirs[2 * turn]);
                worst = Math.Max(worst, Math.Abs(initiator.Traffic.BytesSent - initiator.Traffic.BytesReceived));
            }
            clock.Stop();
            await initiator.ByeAsync();

            var t = initiator.Traffic;
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"ciyam-exchange: {files} files of {bytes} bytes each way in {seconds:F2} s");
            Console.WriteLine($"  initiator sent {t.FilesSent} files / {t.BytesSent} bytes, received {t.FilesReceived} files / {t.BytesReceived} bytes");
            Console.WriteLine($"  {(t.BytesSent + t.BytesReceived) / seconds / 1_048_576:F1} MiB/s both ways, {(t.FilesSent + t.FilesReceived) / seconds:F0} files/s");
            Console.WriteLine($"  largest imbalance during the run: {worst} bytes ({worst / (double)(bytes + 1):F2} files); at the end: {t.BytesSent - t.BytesReceived} bytes");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static List<string> Fill(FilesArea area, int count, int bytes, int seed)
    {
        var hashes = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var payload = new byte[bytes];
            new Random(seed + i).NextBytes(payload);
            var stored = StoredFile.Compose(StoredFile.Blob, payload);
            var hash = StoredFile.HashOf(stored);
            area.Store(hash, stored);
            hashes.Add(hash);
        }
        return hashes;
    }
}
