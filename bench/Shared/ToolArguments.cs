using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Auditrail.Bench;

/// <summary>
/// A load tool's command line read one option at a time, shared by the load tools (linked source) so
/// each only lists its options: values, integers, the loopback-only guard and the usage on bad input.
/// </summary>
internal sealed class ToolArguments(string[] args)
{
    private int _index = -1;

    /// <summary>The option being read, or (after <see cref="Value"/>) its value.</summary>
    public string Current => args[_index];

    /// <summary>Moves to the next option; false past the last one.</summary>
    public bool MoveNext() => ++_index < args.Length;

    /// <summary>The current option's value, which the next argument holds.</summary>
    public string Value() => _index + 1 < args.Length ? args[++_index] : throw new ArgumentException($"{Current} needs a value");

    /// <summary>The current option's value as a non-negative integer.</summary>
    public int Int() => int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The error for an option the tool does not know.</summary>
    public ArgumentException Unknown() => new($"unknown argument {Current}");

    /// <summary>A load tool only loads a server on this machine.</summary>
    public static Uri RequireLoopback(Uri url) =>
        url.IsLoopback ? url : throw new ArgumentException($"{url} is not a loopback address: this tool only loads a server on this machine");

    /// <summary>Parses with <paramref name="parse"/>; on bad input prints the reason and <paramref name="usage"/> to stderr.</summary>
    public static bool TryParse<T>(Func<string[], T> parse, string[] args, string usage, [NotNullWhen(true)] out T? options)
        where T : class
    {
        try
        {
            options = parse(args);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or UriFormatException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine(usage);
            options = null;
            return false;
        }
    }
}
