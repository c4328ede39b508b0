using Auditrail.LogGenerator.Cli;

return GeneratorCommand.Run(args, Console.OpenStandardOutput, Console.Error);
