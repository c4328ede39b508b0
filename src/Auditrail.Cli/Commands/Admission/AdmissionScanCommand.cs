using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Reports;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;

namespace Auditrail.Cli.Commands.Admission;

/// <summary><c>auditrail admission scan</c>: existing objects against the guardrails, as PolicyReports.</summary>
internal static class AdmissionScanCommand
{
    public const string Examples = """
          # Which existing objects break the bundled guardrails? (kubectl get -A -o yaml output works too)
          kubectl get deploy,sts,ds,pods,pvc,ingress,ns -A -o yaml > cluster.yaml
          auditrail admission scan cluster.yaml > reports.yaml

          # Your guardrails over a manifest directory
          auditrail admission scan -g guardrails/ k8s/
        """;

    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("objects")
        {
            Description = "Object files or directories (multi-document YAML, JSON, kind: List such as kubectl get -o yaml writes).",
            Arity = ArgumentArity.OneOrMore,
        };
        var guardrails = AdmissionSetup.GuardrailsOption();
        var namespaces = AdmissionSetup.NamespacesOption();
        var output = OutputOption.Create("default yaml: the PolicyReports as YAML documents");
        var command = new Command("scan", "Background scan: validate existing objects (exit 1 when any result fails) and write wgpolicyk8s.io/v1alpha2 PolicyReports (one per namespace, a ClusterPolicyReport for cluster-scoped objects).")
        {
            paths, guardrails, namespaces, output,
        };
        command.SetAction((parseResult, cancellationToken) => Task.FromResult(Run(context,
            parseResult.GetValue(paths) ?? [],
            parseResult.GetValue(guardrails) ?? [],
            parseResult.GetValue(namespaces) ?? [],
            parseResult.GetValue(output) ?? OutputFormat.Yaml,
            cancellationToken)));
        return command;
    }

    private static int Run(CliContext context, string[] paths, string[] guardrailPaths, string[] namespacePaths, OutputFormat format, CancellationToken cancellationToken)
    {
        if (AdmissionSetup.LoadGuardrails(context, guardrailPaths) is not { } guardrails)
        {
            return ExitCodes.UsageOrUnusableInput;
        }

        var manifests = AdmissionSetup.ReadManifests(context, paths, out var badInput);
        var namespaceManifests = AdmissionSetup.ReadManifests(context, namespacePaths, out var badNamespaces);
        if (manifests.Count == 0)
        {
            context.Error.WriteLine("error: no objects read");
            return ExitCodes.UsageOrUnusableInput;
        }

        var catalog = new NamespaceCatalog();
        catalog.AddRange(namespaceManifests);
        catalog.AddRange(manifests);
        var pipeline = AdmissionSetup.Compose(guardrails, catalog);
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
                // One YAML document per report, ready for kubectl apply.
                foreach (var report in reports)
                {
                    using var document = JsonDocument.Parse(report.ToJsonString());
                    context.Out.WriteLine("---");
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
        return fail > 0 || badInput || badNamespaces || guardrails.HasErrors ? ExitCodes.BadRecords : ExitCodes.Success;
    }
}
