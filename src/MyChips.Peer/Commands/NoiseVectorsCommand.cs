using System.CommandLine;
using MyChips.Peer.NoiseVectors;

namespace MyChips.Peer.Commands;

/// <summary><c>mychips-peer noise-vectors FILE</c>: checks a cacophony-format vector file and prints the counts.</summary>
public static class NoiseVectorsCommand
{
    public const int ExitPassed = ExitCodes.Ok;
    public const int ExitFailed = ExitCodes.Failure;
    public const int ExitBadFile = ExitCodes.BadInput;

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A Noise vector file in the cacophony JSON format." };
        var verbose = new Option<bool>("--verbose") { Description = "Also list every failed and skipped vector with the reason." };
        var command = new Command("noise-vectors", "Check Noise test vectors against this build's Noise engine; prints 'N passed, N failed, N skipped'.");
        command.Arguments.Add(file);
        command.Options.Add(verbose);
        command.SetAction(parse => Run(
            parse.GetValue(file)!,
            parse.GetValue(verbose),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Exit code 0 when nothing failed, 1 when a vector failed, 2 when the file is missing or unreadable.</summary>
    public static int Run(string path, bool verbose, TextWriter output, TextWriter error)
    {
        VectorReport report;
        try
        {
            report = NoiseVectorChecker.CheckFile(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException or IOException)
        {
            error.WriteLine($"noise-vectors: {e.Message}");
            return ExitBadFile;
        }
        foreach (var result in report.Results)
        {
            if (result.Outcome == VectorOutcome.Failed)
                error.WriteLine(result);
            else if (verbose && result.Outcome == VectorOutcome.Skipped)
                error.WriteLine(result);
        }
        output.WriteLine(report.Summary);
        return report.Failed == 0 ? ExitPassed : ExitFailed;
    }
}
