using System.Text;
using System.Threading.Channels;

namespace MyChips.Peer.Tests.Commands;

/// <summary>A writer that hands over each complete line as it is written, so a test can wait for one (no polling).</summary>
internal sealed class LineWriter : TextWriter
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _current = new();
    private readonly StringBuilder _all = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _all.Append(value);
            if (value == '\n')
            {
                _lines.Writer.TryWrite(_current.ToString().TrimEnd('\r'));
                _current.Clear();
            }
            else
            {
                _current.Append(value);
            }
        }
    }

    public override string ToString()
    {
        lock (_gate) return _all.ToString();
    }

    /// <summary>The next line containing <paramref name="text"/>, within the deadline.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                if (line.Contains(text, StringComparison.Ordinal)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No line with '{text}' within {deadline}; written so far:\n{this}");
        }
    }
}
