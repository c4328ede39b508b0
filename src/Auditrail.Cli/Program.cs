using Auditrail.Cli.Hosting;

return CliApp.Run(args, CliContext.FromConsole());
