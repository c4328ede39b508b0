using System.CommandLine;
using System.Runtime.CompilerServices;

namespace Auditrail.Cli.Hosting;

/// <summary>
/// The exit-code line of a command's help when it is not the usual one: <c>rbac can-i</c> answers
/// yes or no with 0 or 1, as kubectl auth can-i does, and says so in its help.
/// </summary>
internal static class ExitCodeHelp
{
    private static readonly ConditionalWeakTable<Command, string> Lines = [];

    public static void Set(Command command, string line) => Lines.AddOrUpdate(command, line);

    public static string? Get(Command command) => Lines.TryGetValue(command, out var line) ? line : null;
}
