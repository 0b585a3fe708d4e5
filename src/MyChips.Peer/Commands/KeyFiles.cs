using MyChips.Protocol.Keys;

namespace MyChips.Peer.Commands;

/// <summary>Loads an agent key file for a command, turning every way it can be wrong into a <see cref="UsageException"/>.</summary>
public static class KeyFiles
{
    public static AgentKey Load(FileInfo file)
    {
        try
        {
            return AgentKeyFile.Load(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            throw new UsageException($"cannot use the key file '{file.FullName}': {e.Message}", e);
        }
    }
}
