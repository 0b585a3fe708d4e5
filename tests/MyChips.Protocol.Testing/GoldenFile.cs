using System.Runtime.CompilerServices;

namespace MyChips.Protocol.Testing;

/// <summary>
/// Snapshot files in Verify's conventions: the expected text lives in <c>name.verified.ext</c> beside
/// the test; on a mismatch the actual text goes to <c>name.received.ext</c> and the test fails, so a
/// change shows up as a diff to review. Setting MYCHIPS_ACCEPT_GOLDEN=1 accepts the received text.
/// </summary>
public static class GoldenFile
{
    public const string AcceptVariable = "MYCHIPS_ACCEPT_GOLDEN";

    /// <param name="folder">The snapshot folder, relative to the calling test's source folder.</param>
    public static void Verify(string folder, string name, string extension, string actual, [CallerFilePath] string caller = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(caller)!, folder);
        VerifyAt(directory, name, extension, actual);
    }

    public static void VerifyAt(string directory, string name, string extension, string actual)
    {
        if (Check(directory, name, extension, actual) is { } failure)
            Xunit.Assert.Fail(failure);
    }

    /// <summary>Compares without failing, so one test can check many files and report them all.</summary>
    /// <returns>Null when the text matches (or was accepted); otherwise what differs and where.</returns>
    public static string? Check(string directory, string name, string extension, string actual)
    {
        Directory.CreateDirectory(directory);
        var verified = Path.Combine(directory, $"{name}.verified.{extension}");
        var received = Path.Combine(directory, $"{name}.received.{extension}");
        actual = Normalize(actual);

        var expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return null;
        }
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return null;
        }

        File.WriteAllText(received, actual);
        var reason = expected is null ? "no verified file exists yet" : FirstDifference(expected, actual);
        return $"{name}: {reason}.\nReview the diff between\n  {verified}\n  {received}\nand rename the received file over the verified one (or run with {AcceptVariable}=1) if the change is intended.";
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');

    private static string FirstDifference(string expected, string actual)
    {
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var a = i < left.Length ? left[i] : "<end of file>";
            var b = i < right.Length ? right[i] : "<end of file>";
            if (a != b)
                return $"line {i + 1} differs\n  verified: {a}\n  received: {b}";
        }
        return "the texts differ";
    }
}
