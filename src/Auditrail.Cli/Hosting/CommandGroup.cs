using System.CommandLine;

namespace Auditrail.Cli.Hosting;

/// <summary>A verb with subcommands (<c>auditrail policy …</c>, <c>auditrail rbac …</c>) whose help shows every subcommand's examples.</summary>
internal static class CommandGroup
{
    public static Command Create(string name, string description, Dictionary<Command, string> examples, params (Command Command, string Examples)[] subcommands)
    {
        var group = new Command(name, description);
        foreach (var (command, text) in subcommands)
        {
            group.Subcommands.Add(command);
            examples[command] = text;
        }

        examples[group] = string.Join(Environment.NewLine + Environment.NewLine, subcommands.Select(s => s.Examples.TrimEnd()));
        return group;
    }
}
