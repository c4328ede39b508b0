using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Needs;
using Auditrail.AuditPolicy.Simulation;
using Auditrail.Cli.Commands.Scan;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;

namespace Auditrail.Cli.Commands.Policy;

/// <summary><c>auditrail policy simulate</c>: what a policy would keep of real traffic, and what detection would lose.</summary>
internal static class PolicySimulateCommand
{
    public const string Examples = """
          # What would this policy keep of last week's traffic, and which detections go blind?
          auditrail policy simulate --policy audit-policy.yaml /var/log/kubernetes/audit/

          # The decision for every event, one JSON line each (summary on stderr)
          auditrail policy simulate --policy audit-policy.yaml audit.log --events > decisions.jsonl

          # The summary as JSON, blind spots judged against your own rules
          auditrail policy simulate --policy p.yaml audit.log -o json --rules default --rules my-rules/
        """;

    public static Command Create(CliContext context)
    {
        var policy = new Option<string>("--policy") { Description = "The audit policy to simulate.", Required = true };
        var paths = new Argument<string[]>("logs")
        {
            Description = "Audit logs: files, directories or - for stdin, in any format `auditrail read` takes.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = OutputOption.Create("default table");
        var events = new Option<bool>("--events") { Description = "Write one JSON line per event (auditID, stage, level, rule, recorded) to stdout; the summary goes to stderr." };
        var rules = new Option<string[]>("--rules")
        {
            Description = "Rules whose needs define blind spots (repeatable; 'default' is the bundled pack, which is used when absent).",
        };
        var noBlindSpots = new Option<bool>("--no-blind-spots") { Description = "Skip the blind-spot analysis (faster)." };
        var top = new Option<int>("--top") { Description = "How many of the noisiest sources to show.", DefaultValueFactory = _ => 10 };
        var progress = ProgressOptions.CreateForce();
        var noProgress = ProgressOptions.CreateDisable();
        var command = new Command("simulate", "Replay audit logs through a policy: the level and rule for each event, events and bytes before and after, the noisiest sources, and the blind spots it leaves detection rules.")
        {
            policy, paths, output, events, rules, noBlindSpots, top, progress, noProgress,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(context, new Options(
            parseResult.GetValue(policy)!,
            parseResult.GetValue(paths) ?? [],
            parseResult.GetValue(output) ?? OutputFormat.Table,
            parseResult.GetValue(events),
            parseResult.GetValue(rules) ?? [],
            parseResult.GetValue(noBlindSpots),
            Math.Max(parseResult.GetValue(top), 0),
            parseResult.GetValue(progress),
            parseResult.GetValue(noProgress)), cancellationToken)));
        return command;
    }

    private sealed record Options(string Policy, string[] Paths, OutputFormat Format, bool Events, string[] Rules, bool NoBlindSpots, int Top, bool ForceProgress, bool NoProgress);

    private static int Run(CliContext context, Options options, CancellationToken cancellationToken)
    {
        if (options.ForceProgress && options.NoProgress)
        {
            context.Error.WriteLine("error: --progress and --no-progress cannot be used together");
            return ExitCodes.UsageOrUnusableInput;
        }

        if (PolicyCommand.LoadForUse(context, options.Policy) is not { } policy)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        DetectionNeeds? needs = null;
        if (!options.NoBlindSpots)
        {
            if (ScanCommand.LoadRules(context, options.Rules) is not { } ruleSet)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            needs = DetectionNeeds.Analyze(ruleSet);
        }

        var started = TimeProvider.System.GetTimestamp();
        var (report, counters) = Simulate(context, policy, needs, options.Paths, options.Events, options.ForceProgress, options.NoProgress, cancellationToken);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var target = options.Events ? context.Error : context.Out;
        var summaryContext = new CliContext(target, context.Error, context.OpenStdin, false) { OutputWidth = context.OutputWidth };
        if (options.Format == OutputFormat.Table)
        {
            SimulationTables.Write(summaryContext.CreateConsole(), target, policy, report, counters, options.Top);
        }
        else
        {
            StructuredOutput.Write(summaryContext, options.Format, writer => SimulationJson.Write(writer, policy, report, counters, options.Top));
        }

        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        context.Error.WriteLine($"simulated {counters.Events:N0} events ({ByteSize.Format(counters.Bytes)} read) in {seconds:F1} s, {counters.Events / seconds:N0} events/s");
        if (counters.Events == 0)
        {
            context.Error.WriteLine("error: no events read");
            return ExitCodes.UsageOrUnusableInput;
        }

        return counters.Errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    /// <summary>Reads the logs through a simulator, printing diagnostics (and, with <paramref name="writeEvents"/>, each decision) as it goes.</summary>
    internal static (SimulationReport Report, ReadCounters Counters) Simulate(CliContext context, CompiledPolicy policy, DetectionNeeds? needs, string[] paths,
        bool writeEvents, bool forceProgress, bool noProgress, CancellationToken cancellationToken)
    {
        var totalBytes = ProgressOptions.TotalBytes(paths);
        var progress = ProgressOptions.ShouldShow(forceProgress, noProgress, context.InteractiveError, totalBytes)
            ? new ProgressLine(context.Error, "simulating", totalBytes, TimeProvider.System)
            : null;
        using var decisions = writeEvents ? new DecisionWriter(context) : null;
        var handler = new Handler(progress, context);
        using var simulator = new PolicySimulator(policy, needs, decisions is null ? null : decisions.Write, handler.Diagnostic);
        handler.Simulator = simulator;
        ReadCounters counters;
        try
        {
            counters = new AuditLogReader().ReadPaths(paths, handler, cancellationToken, context.OpenStdin);
        }
        finally
        {
            progress?.Clear();
            decisions?.Flush();
        }

        return (simulator.Report(), counters);
    }

    /// <summary>Forwards events to the simulator and keeps the progress line and diagnostics on stderr.</summary>
    private sealed class Handler(ProgressLine? progress, CliContext context) : IAuditEventHandler
    {
        public PolicySimulator Simulator { get; set; } = null!;

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            if (progress is not null)
            {
                progress.Events++;
            }

            Simulator.OnEvent(auditEvent, location);
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => Simulator.OnDiagnostic(diagnostic);

        public void Diagnostic(ReadDiagnostic diagnostic)
        {
            progress?.Clear();
            context.Error.WriteLine(diagnostic.ToString());
        }

        public void OnSourceStart(string source) => progress?.SourceStarted();

        public void OnProgress(string source, long bytesRead, long totalBytes) => progress?.Report(bytesRead);
    }

    /// <summary>One JSON line per event: its auditID and stage, and the policy's level, rule (null: none) and whether this stage is written.</summary>
    private sealed class DecisionWriter(CliContext context) : IDisposable
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private readonly Utf8JsonWriter _writer = new(Stream.Null);

        public void Write(AuditEvent auditEvent, PolicyDecision decision)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            _writer.WriteStartObject();
            _writer.WriteString("auditID"u8, auditEvent.AuditId);
            _writer.WriteString("stage"u8, auditEvent.Stage.ToWireName());
            _writer.WriteString("level"u8, decision.Level.ToWireName());
            if (decision.Matched)
            {
                _writer.WriteNumber("rule"u8, decision.RuleIndex);
            }
            else
            {
                _writer.WriteNull("rule"u8);
            }

            _writer.WriteBoolean("recorded"u8, decision.Records(auditEvent.Stage));
            _writer.WriteEndObject();
            _writer.Flush();
            if (context.OutStream is { } stream)
            {
                stream.Write(_buffer.WrittenSpan);
                stream.WriteByte((byte)'\n');
            }
            else
            {
                context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan));
            }
        }

        public void Flush()
        {
            context.OutStream?.Flush();
            context.Out.Flush();
        }

        public void Dispose() => _writer.Dispose();
    }
}
