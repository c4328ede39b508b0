using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Reports;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;

namespace Auditrail.Cli.Commands.Admission;

/// <summary><c>auditrail admission scan</c>: existing objects against the guardrails, as PolicyReports.</summary>
internal static class AdmissionScanCommand
{
    public const string Examples = """
          # Which objects in the cluster break the bundled guardrails?
          kubectl get deploy,sts,ds,rs,job,cronjob,rc,pods,pvc,ingress,ns -A -o yaml | auditrail admission scan - > reports.yaml

          # Your guardrails over a manifest directory
          auditrail admission scan -g guardrails/ k8s/
        """;

    public static Command Create(CliContext context) => AdmissionSetup.ManifestCommand(context, "scan",
        "Background scan: validate existing objects (exit 1 when any result fails) and write wgpolicyk8s.io/v1alpha2 PolicyReports (one per namespace, a ClusterPolicyReport for cluster-scoped objects).",
        OutputFormat.Yaml, "default yaml: the PolicyReports as YAML documents; json: one List", Run);

    private static int Run(ManifestRun run, OutputFormat format, CancellationToken cancellationToken)
    {
        var (context, guardrails, manifests, pipeline) = (run.Context, run.Guardrails, run.Manifests, run.Pipeline);
        var reports = PolicyReportBuilder.Build(manifests, guardrails.Guardrails, pipeline, TimeProvider.System.GetUtcNow(), cancellationToken);
        var fail = reports.Sum(r => (int)r["summary"]!["fail"]!);
        switch (format)
        {
            case OutputFormat.Table:
                foreach (var report in reports)
                {
                    var summary = report["summary"]!;
                    context.Out.WriteLine($"{report["kind"]} {report["metadata"]!["namespace"]?.ToString() ?? "(cluster)"}: pass {summary["pass"]}, fail {summary["fail"]}, warn {summary["warn"]}");
                }

                break;
            case OutputFormat.Yaml:
                // One YAML document per report ("---" first), ready for kubectl apply.
                foreach (var report in reports)
                {
                    using var document = JsonDocument.Parse(report.ToJsonString());
                    StructuredOutput.Write(context, format, writer => document.RootElement.WriteTo(writer));
                }

                break;
            default:
                // One JSON document: a List of the reports, as kubectl get -o json writes several objects.
                using (var list = JsonDocument.Parse(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. reports]) }.ToJsonString()))
                {
                    StructuredOutput.Write(context, format, writer => list.RootElement.WriteTo(writer));
                }

                break;
        }

        context.Error.WriteLine($"scanned {manifests.Count} objects with {guardrails.Guardrails.Count} guardrails: {reports.Count} reports, {fail} failed results");
        return fail > 0 || run.RejectedInput ? ExitCodes.BadRecords : ExitCodes.Success;
    }
}
