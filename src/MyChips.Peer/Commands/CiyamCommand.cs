using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MyChips.Protocol.Ciyam.Files;
using MyChips.Protocol.Ciyam.Peer;
using MyChips.Protocol.Ciyam.Storage;
using MyChips.Protocol.Ciyam.Wire;

namespace MyChips.Peer.Commands;

/// <summary>
/// <c>mychips-peer ciyam</c>: a CIYAM peer. <c>listen</c> serves a files area; <c>connect</c> greets a listener;
/// <c>put</c> sends a local file to one; <c>get</c> fetches one by its hash.
/// </summary>
public static class CiyamCommand
{
    public static Command Create()
    {
        var files = new Option<DirectoryInfo>("--files") { Description = "The files area: a folder of files named by their hash (default ./ciyam-files).", DefaultValueFactory = _ => new DirectoryInfo("ciyam-files"), HelpName = "DIR" };
        var command = new Command("ciyam", "Run or talk to a CIYAM peer (the CIYAM peer protocol: chk, get, put, pip, tls, bye).")
        {
            Listen(files), Connect(files), Put(files), Get(files),
        };
        return command;
    }

    private static Command Listen(Option<DirectoryInfo> files)
    {
        var port = new Option<int>("--port") { Description = "The TCP port to listen on (default 12346; 0 picks a free one).", DefaultValueFactory = _ => 12346, CustomParser = r => OptionParsers.IntInRange(r, 0, 65535, 12346), HelpName = "PORT" };
        var certificate = new Option<FileInfo?>("--cert") { Description = "A PKCS#12 certificate for tls; without it tls is refused.", HelpName = "PFX" };
        var maxPeers = new Option<int>("--max-peers") { Description = "Sessions held at once (default 100).", DefaultValueFactory = _ => 100, CustomParser = r => OptionParsers.IntInRange(r, 1, 100_000, 100), HelpName = "N" };
        var command = new Command("listen", "Serve the files area to CIYAM peers until stopped (Ctrl-C).") { files, port, certificate, maxPeers };
        command.SetAction(async (parse, cancel) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            X509Certificate2? pfx = null;
            if (parse.GetValue(certificate) is { } file)
            {
                try
                {
                    pfx = X509CertificateLoader.LoadPkcs12FromFile(file.FullName, null);
                }
                catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
                {
                    await error.WriteLineAsync($"ciyam listen: cannot read the certificate '{file.FullName}': {e.Message}");
                    return ExitCodes.BadInput;
                }
            }
            var area = new FilesArea(parse.GetValue(files)!.FullName);
            var options = new CiyamPeerOptions { Certificate = pfx, MaxPeers = parse.GetValue(maxPeers) };
            await using var listener = new CiyamListener(new IPEndPoint(IPAddress.Any, parse.GetValue(port)), area, options, new KeptFiles(Path.Combine(parse.GetValue(files)!.FullName, "kept.txt")));
            try
            {
                listener.Start();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await error.WriteLineAsync($"ciyam listen: cannot listen on port {parse.GetValue(port)}: {e.Message}");
                return ExitCodes.Failure;
            }
            await output.WriteLineAsync($"ciyam: listening on port {listener.LocalEndPoint.Port}, files in {parse.GetValue(files)!.FullName}");
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
                // Stopped: the listener closes its sessions.
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Connect(Option<DirectoryInfo> files)
    {
        var peer = PeerArgument();
        var command = new Command("connect", "Greet a CIYAM listener (the first chk and the hello exchange), then say bye.") { peer, files };
        command.SetAction((parse, _) => WithPeerAsync(parse, "connect", peer, files, async initiator =>
        {
            await parse.InvocationConfiguration.Output.WriteLineAsync($"ciyam: greeted; the listener expects a {(initiator.PutNext ? "put" : "get")} next");
        }));
        return command;
    }

    private static Command Put(Option<DirectoryInfo> files)
    {
        var peer = PeerArgument();
        var file = new Argument<FileInfo>("FILE") { Description = "The file to send, as a blob." };
        var command = new Command("put", "Send a file to a CIYAM listener and print its hash.") { peer, file, files };
        command.SetAction((parse, _) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                parse.InvocationConfiguration.Error.WriteLine($"ciyam put: no such file '{path.FullName}'");
                return Task.FromResult(ExitCodes.BadInput);
            }
            return WithPeerAsync(parse, "put", peer, files, async initiator =>
            {
                var stored = StoredFile.Compose(StoredFile.Blob, await File.ReadAllBytesAsync(path.FullName));
                var hash = StoredFile.HashOf(stored);
                var kept = initiator.Area.Store(hash, stored);
                if (kept is not (StoreResult.Stored or StoreResult.AlreadyStored)) throw new CiyamProtocolException($"the file cannot go in the files area: {kept}");
                if (!initiator.PutNext) await initiator.GetAsync(HelloBlob.Hash);
                await initiator.PutAsync(hash);
                await parse.InvocationConfiguration.Output.WriteLineAsync(hash);
            });
        });
        return command;
    }

    private static Command Get(Option<DirectoryInfo> files)
    {
        var peer = PeerArgument();
        var hash = new Argument<string>("HASH") { Description = "The file's hash: 64 lowercase hex digits." };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Where to write the file's content (default: only into the files area).", HelpName = "FILE" };
        var command = new Command("get", "Fetch a file from a CIYAM listener by its hash.") { peer, hash, output, files };
        command.SetAction((parse, _) =>
        {
            var wanted = parse.GetValue(hash)!;
            if (!StoredFile.IsHash(wanted))
            {
                parse.InvocationConfiguration.Error.WriteLine($"ciyam get: '{wanted}' is not a file hash (64 lowercase hex digits)");
                return Task.FromResult(ExitCodes.BadInput);
            }
            return WithPeerAsync(parse, "get", peer, files, async initiator =>
            {
                if (initiator.PutNext) await initiator.PutAsync(HelloBlob.Hash);
                await initiator.GetAsync(wanted);
                if (parse.GetValue(output) is { } target) await File.WriteAllBytesAsync(target.FullName, initiator.Area.Read(wanted)![1..]);
                await parse.InvocationConfiguration.Output.WriteLineAsync($"ciyam: got {wanted} ({initiator.Area.Read(wanted)!.Length - 1} bytes)");
            });
        });
        return command;
    }

    private static Argument<string> PeerArgument() => new("PEER") { Description = "The listener, as HOST:PORT." };

    /// <summary>Connects, greets, runs <paramref name="work"/>, says bye; a protocol or connection failure exits 1 with its reason.</summary>
    private static async Task<int> WithPeerAsync(ParseResult parse, string name, Argument<string> peer, Option<DirectoryInfo> files, Func<CiyamInitiator, Task> work)
    {
        var error = parse.InvocationConfiguration.Error;
        var text = parse.GetValue(peer)!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            await error.WriteLineAsync($"ciyam {name}: '{text}' is not HOST:PORT");
            return ExitCodes.BadInput;
        }
        try
        {
            var area = new FilesArea(parse.GetValue(files)!.FullName);
            await using var initiator = await CiyamInitiator.ConnectAsync(text[..colon], port, area);
            await initiator.GreetAsync();
            await work(initiator);
            await initiator.ByeAsync();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is CiyamProtocolException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"ciyam {name}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
