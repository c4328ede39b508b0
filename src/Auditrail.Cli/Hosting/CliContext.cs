using Spectre.Console;

namespace Auditrail.Cli.Hosting;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, diagnostics and progress to <see cref="Error"/>.
/// Tests pass string writers; the real program passes the console.
/// </summary>
public sealed class CliContext(TextWriter output, TextWriter error, Func<Stream> openStdin, bool interactiveError, Stream? outputStream = null)
{
    /// <summary>
    /// Raw stdout for verbs that write UTF-8 they already have (JSON lines), skipping the text writer's
    /// decode and re-encode; null in tests, which capture <see cref="Out"/>.
    /// </summary>
    public Stream? OutStream { get; } = outputStream;

    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>True when stderr is a terminal: only then is progress drawn.</summary>
    public bool InteractiveError { get; } = interactiveError;

    public Func<Stream> OpenStdin { get; } = openStdin;

    /// <summary>A Spectre console over <see cref="Out"/> without colors when output is redirected.</summary>
    public IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Redirected output has no width; 80 columns would wrap file paths, so tables get room to breathe.
        console.Profile.Width = OutputWidth;
        return console;
    }

    /// <summary>Columns available to tables: the terminal's width, or 200 when stdout is redirected.</summary>
    public int OutputWidth { get; init; } = 200;

    public static CliContext FromConsole() => new(
        Console.Out,
        Console.Error,
        Console.OpenStandardInput,
        !Console.IsErrorRedirected,
        new BufferedStream(Console.OpenStandardOutput(), 1 << 16))
    {
        OutputWidth = Console.IsOutputRedirected ? 200 : Math.Max(Console.WindowWidth, 80),
    };
}
