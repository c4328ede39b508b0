using System.CommandLine;
using System.Globalization;
using Auditrail.AuditPolicy.Evaluation;
using Auditrail.AuditPolicy.Loading;
using Auditrail.AuditPolicy.Needs;
using Auditrail.AuditPolicy.Recommendation;
using Auditrail.AuditPolicy.Simulation;
using Auditrail.Cli.Commands.Scan;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Reading;

namespace Auditrail.Cli.Commands.Policy;

/// <summary><c>auditrail policy recommend</c>: a policy tailored to observed traffic and to what the rules need.</summary>
internal static class PolicyRecommendCommand
{
    public const string Examples = """
          # A policy for this cluster's traffic that keeps what the default pack needs
          auditrail policy recommend /var/log/kubernetes/audit/ --out audit-policy.yaml

          # For your own rules as well; the policy on stdout, the summary on stderr
          auditrail policy recommend audit.log --rules default --rules my-rules/ > audit-policy.yaml
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("logs")
        {
            Description = "Audit logs of the traffic to tailor the policy to: files or directories (read twice: to learn, then to check the result).",
            Arity = ArgumentArity.OneOrMore,
        };
        var rules = new Option<string[]>("--rules") { Description = "Rules whose needs the policy must keep (repeatable; 'default' is the bundled pack, which is used when absent)." };
        var output = new Option<string?>("--out") { Description = "Write the policy to this file (default: stdout, with the summary on stderr)." };
        var loseTerms = new Option<bool>("--drop-term-only-traffic")
        {
            Description = "Drop low-value traffic even when it is all a new-terms rule saw of an identity (a service account that only renews its lease); "
                + "the rule then learns that identity from its next logged request, which may be an intruder's.",
        };
        var progress = ProgressOptions.CreateForce();
        var noProgress = ProgressOptions.CreateDisable();
        var command = new Command("recommend", "Write an audit policy tailored to observed traffic: every request the rules need at the level they need, high-volume low-value traffic dropped; prints the expected reduction and the detection coverage kept.")
        {
            paths, rules, output, loseTerms, progress, noProgress,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(context, parseResult.GetValue(paths) ?? [], parseResult.GetValue(rules) ?? [],
            parseResult.GetValue(output), new RecommendOptions(KeepEveryTerm: !parseResult.GetValue(loseTerms)),
            parseResult.GetValue(progress), parseResult.GetValue(noProgress), cancellationToken)));
        return command;
    }

    private static int Run(CliContext context, string[] paths, string[] rulePaths, string? outPath, RecommendOptions options, bool forceProgress, bool noProgress,
        CancellationToken cancellationToken)
    {
        if (paths.Contains(AuditLogReader.StdinName))
        {
            context.Error.WriteLine("error: recommend reads the logs twice (to learn the traffic, then to check the policy on it); save standard input to a file first");
            return ExitCodes.UsageOrUnusableInput;
        }

        if (ScanCommand.LoadRules(context, rulePaths) is not { } ruleSet)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var needs = DetectionNeeds.Analyze(ruleSet);
        var profile = new TrafficProfile(needs, d => context.Error.WriteLine(d.ToString()));
        var counters = Read(context, paths, profile, "learning", forceProgress, noProgress, cancellationToken);
        if (profile.Events == 0)
        {
            context.Error.WriteLine("error: no events read; nothing to tailor a policy to");
            return ExitCodes.UsageOrUnusableInput;
        }

        var recommendation = PolicyRecommender.Recommend(profile, options);
        var target = outPath ?? "(stdout)";
        var compiled = CompiledPolicy.Compile(recommendation.ToPolicy(target));
        using var simulator = new PolicySimulator(compiled, needs);
        Read(context, paths, simulator, "checking", forceProgress, noProgress, cancellationToken);
        var report = simulator.Report();

        var yaml = recommendation.ToYaml(Header(paths, ruleSet.Rules.Count, report));
        var check = PolicyLoader.LoadText(yaml, target);
        if (check.HasErrors)
        {
            // The recommender writes only what the loader reads back; anything else is a bug worth seeing.
            foreach (var finding in check.Findings)
            {
                context.Error.WriteLine(finding.ToString());
            }

            return ExitCodes.UsageOrUnusableInput;
        }

        if (outPath is null)
        {
            context.Out.Write(yaml);
        }
        else
        {
            File.WriteAllText(outPath, yaml);
        }

        var summary = outPath is null ? context.Error : context.Out;
        WriteSummary(summary, new CliContext(summary, context.Error, context.OpenStdin, false) { OutputWidth = context.OutputWidth }, recommendation, report, outPath);
        return counters.Errors > 0 ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    private static ReadCounters Read(CliContext context, string[] paths, IAuditEventHandler handler, string verb, bool forceProgress, bool noProgress, CancellationToken cancellationToken)
    {
        var totalBytes = ProgressOptions.TotalBytes(paths);
        var progress = ProgressOptions.ShouldShow(forceProgress, noProgress, context.InteractiveError, totalBytes)
            ? new ProgressLine(context.Error, verb, totalBytes, TimeProvider.System)
            : null;
        try
        {
            return new AuditLogReader().ReadPaths(paths, progress is null ? handler : new ProgressHandler(handler, progress), cancellationToken);
        }
        finally
        {
            progress?.Clear();
        }
    }

    private static IEnumerable<string> Header(string[] paths, int rules, SimulationReport report)
    {
        var needing = report.Coverage.Count(c => c.Needed > 0);
        yield return "Audit policy recommended by `auditrail policy recommend`, tailored to the traffic of:";
        foreach (var path in paths)
        {
            yield return $"  {path}";
        }

        yield return string.Create(CultureInfo.InvariantCulture,
            $"On that traffic: {report.Before.Events:N0} events -> {report.After.Events:N0} ({SimulationTables.Change(report.Before.Events, report.After.Events)}), "
            + $"{ByteSize.Format(report.Before.Bytes)} -> {ByteSize.Format(report.After.Bytes)} ({SimulationTables.Change(report.Before.Bytes, report.After.Bytes)}).");
        yield return $"Detection coverage kept: {report.Coverage.Count(c => c.Needed > 0 && c.Lost == 0)} of the {needing} rules (of {rules}) that need events of it keep all of them;";
        foreach (var coverage in report.BlindSpots)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"  {coverage.Need.Name} keeps {coverage.Kept:N0} of {coverage.Needed:N0}{(coverage.Need.Kind == NeedKind.Terms ? " terms" : string.Empty)}.");
        }

        yield return "Review before use: the traffic it learned from may lack what your cluster does on other days.";
    }

    private static void WriteSummary(TextWriter text, CliContext console, Recommendation recommendation, SimulationReport report, string? outPath)
    {
        text.WriteLine($"recommended policy: {recommendation.Rules.Count} rules{(outPath is null ? string.Empty : $", written to {outPath}")}");
        text.WriteLine($"  expected on this traffic: events {report.Before.Events:N0} -> {report.After.Events:N0} ({SimulationTables.Change(report.Before.Events, report.After.Events)}), "
            + $"bytes {ByteSize.Format(report.Before.Bytes)} -> {ByteSize.Format(report.After.Bytes)} ({SimulationTables.Change(report.Before.Bytes, report.After.Bytes)})");
        var needing = report.Coverage.Where(c => c.Needed > 0).ToList();
        var counted = needing.Where(c => c.Need.Kind == NeedKind.Events).ToList();
        var needed = counted.Sum(c => c.Needed);
        var kept = counted.Sum(c => c.Kept);
        text.WriteLine($"  detection coverage kept: {needing.Count(c => c.Lost == 0)} of {needing.Count} rules keep every event (or term) they need; "
            + $"rules that act on each event keep {kept:N0} of the {needed:N0} they need ({(needed == 0 ? 100 : kept * 100.0 / needed):F2}%)");
        foreach (var rate in needing.Where(c => c.Need.Kind == NeedKind.Rate && c.Lost > 0))
        {
            text.WriteLine($"  {rate.Need.Name} (a rate) counts {rate.Kept:N0} of {rate.Needed:N0} requests: the dropped kinds leave its usual and its current counts alike");
        }

        foreach (var withheld in recommendation.Withheld)
        {
            text.WriteLine($"  withheld on purpose: {withheld.Rule} {withheld.Reason}");
        }

        if (recommendation.KeptForTerms.Count > 0)
        {
            text.WriteLine($"  kept for new-terms rules, which saw some identity nowhere else (--drop-term-only-traffic drops them): {string.Join("; ", recommendation.KeptForTerms)}");
        }

        SimulationTables.WriteBlindSpots(console.CreateConsole(), text, report);
        SimulationTables.WriteNotes(text, report);
    }

    /// <summary>Keeps a progress line up to date around another handler.</summary>
    private sealed class ProgressHandler(IAuditEventHandler inner, ProgressLine progress) : IAuditEventHandler
    {
        public void OnEvent(Auditrail.Core.Model.AuditEvent auditEvent, in RecordLocation location)
        {
            progress.Events++;
            inner.OnEvent(auditEvent, location);
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic)
        {
            progress.Clear();
            inner.OnDiagnostic(diagnostic);
        }

        public void OnSourceStart(string source) => progress.SourceStarted();

        public void OnProgress(string source, long bytesRead, long totalBytes) => progress.Report(bytesRead);
    }
}
