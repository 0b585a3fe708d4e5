using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MyChips.Protocol.Benchmarks.Noise;

/// <summary>
/// A complement to the BenchmarkDotNet runs for busy machines: runs each handshake and its X25519
/// baselines in alternating batches and compares the thread's CPU time (not wall time), so that other
/// processes competing for the cores skew the ratios far less. Prints the median ratio over the batches;
/// the same for transport messages against NSec's ChaCha20-Poly1305.
/// Run: <c>dotnet run -c Release --project tests/MyChips.Protocol.Benchmarks -- noise-cpu-ratio</c>.
/// </summary>
internal static partial class NoiseCpuRatio
{
    private const int Batches = 41;
    private const int OperationsPerBatch = 20;

    public static void Run()
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("noise-cpu-ratio reads the thread CPU clock of Linux (clock_gettime).");
            return;
        }
        var benchmarks = new NoiseHandshakeBenchmarks();
        benchmarks.Setup();
        var cases = new (string Name, Action Handshake, Action NSec, Action Libsodium)[]
        {
            ("IK", benchmarks.IKHandshake, benchmarks.IKNSec, benchmarks.IKLibsodium),
            ("KK", benchmarks.KKHandshake, benchmarks.KKNSec, benchmarks.KKLibsodium),
            ("N", benchmarks.NHandshake, benchmarks.NNSec, benchmarks.NLibsodium),
        };
        Console.WriteLine("| handshake | CPU us, handshake | CPU us, NSec X25519 work | CPU us, libsodium X25519 work | ratio to NSec | ratio to libsodium |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, handshake, nsec, libsodium) in cases)
        {
            for (var i = 0; i < 50; i++)
            {
                handshake();
                nsec();
                libsodium();
            }
            var handshakeTimes = new List<double>();
            var nsecTimes = new List<double>();
            var libsodiumTimes = new List<double>();
            var toNSec = new List<double>();
            var toLibsodium = new List<double>();
            for (var batch = 0; batch < Batches; batch++)
            {
                var h = Measure(handshake);
                var n = Measure(nsec);
                var l = Measure(libsodium);
                handshakeTimes.Add(h);
                nsecTimes.Add(n);
                libsodiumTimes.Add(l);
                toNSec.Add(h / n);
                toLibsodium.Add(h / l);
            }
            Console.WriteLine($"| {name} | {Median(handshakeTimes):F1} | {Median(nsecTimes):F1} | {Median(libsodiumTimes):F1} | {Median(toNSec):F2} | {Median(toLibsodium):F2} |");
        }
        benchmarks.Cleanup();

        Console.WriteLine();
        Console.WriteLine("| transport message | CPU us, NoiseTransport encrypt + decrypt | CPU us, NSec ChaCha20Poly1305 | throughput relative to NSec |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var size in new[] { 256, 65536 })
        {
            var transport = new NoiseTransportBenchmarks { Size = size };
            transport.Setup();
            var repeat = size < 4096 ? 200 : 4;
            Action noise = () => { for (var i = 0; i < repeat; i++) transport.Noise(); };
            Action nsec = () => { for (var i = 0; i < repeat; i++) transport.NSec(); };
            for (var i = 0; i < 20; i++)
            {
                noise();
                nsec();
            }
            var noiseTimes = new List<double>();
            var nsecTimes = new List<double>();
            var speed = new List<double>();
            for (var batch = 0; batch < Batches; batch++)
            {
                var a = Measure(noise) / repeat;
                var b = Measure(nsec) / repeat;
                noiseTimes.Add(a);
                nsecTimes.Add(b);
                speed.Add(b / a);
            }
            Console.WriteLine($"| {size} bytes | {Median(noiseTimes):F3} | {Median(nsecTimes):F3} | {Median(speed):F2} |");
            transport.Cleanup();
        }
    }

    private static double Measure(Action operation)
    {
        var start = ThreadCpuMicroseconds();
        for (var i = 0; i < OperationsPerBatch; i++)
            operation();
        return (ThreadCpuMicroseconds() - start) / OperationsPerBatch;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static double ThreadCpuMicroseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        if (clock_gettime(ClockThreadCpuTimeId, out var time) != 0)
            throw new UnreachableException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        return time.Seconds * 1e6 + time.Nanoseconds / 1e3;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int clock_gettime(int clockId, out TimeSpec time);
}
