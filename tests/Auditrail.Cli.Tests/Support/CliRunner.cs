using System.Text;
using Auditrail.Cli.Hosting;

namespace Auditrail.Cli.Tests.Support;

/// <summary>Runs the CLI in process with captured stdout and stderr.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public static class CliRunner
{
    public static string Data(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", .. parts]);

    public static CliResult Run(params string[] args) => RunWithStdin(string.Empty, args);

    public static CliResult RunWithStdin(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, () => new MemoryStream(Encoding.UTF8.GetBytes(stdin)), interactiveError: false);
        var code = CliApp.Run(args, context);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
