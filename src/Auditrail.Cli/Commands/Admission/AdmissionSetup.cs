using System.CommandLine;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;

namespace Auditrail.Cli.Commands.Admission;

/// <summary>
/// What every <c>auditrail admission</c> verb shares: the options that choose guardrails and
/// namespaces, loading them with diagnostics on stderr, and <see cref="Compose"/>, the one place that
/// decides which validators and mutators a review runs.
/// </summary>
internal static class AdmissionSetup
{
    /// <summary>The guardrails shipped beside the binary (copied from the repository's guardrails/default).</summary>
    public static string DefaultGuardrailDirectory => Path.Combine(AppContext.BaseDirectory, "guardrails", "default");

    public static Option<string[]> GuardrailsOption() => new("--guardrails", "-g")
    {
        Description = "Guardrail files or directories (repeatable) instead of the bundled set; 'default' names the bundled set, so '-g default -g mine/' extends it.",
        HelpName = "FILE|DIR",
    };

    public static Option<string[]> NamespacesOption() => new("--namespaces")
    {
        Description = "Namespace objects (files or directories, repeatable) whose labels namespace selectors and namespaceObject read; Namespaces among the inputs count too.",
        HelpName = "FILE|DIR",
    };

    /// <summary>Loads guardrails; every problem goes to stderr. Null when none could be loaded (nothing to check with).</summary>
    public static GuardrailSet? LoadGuardrails(CliContext context, IReadOnlyList<string> paths)
    {
        IReadOnlyList<string> resolved = paths.Count == 0
            ? [DefaultGuardrailDirectory]
            : [.. paths.Select(p => p == "default" && !Path.Exists(p) ? DefaultGuardrailDirectory : p)];
        foreach (var path in resolved.Where(p => !Path.Exists(p)))
        {
            context.Error.WriteLine($"error: guardrails '{path}' not found");
            return null;
        }

        var set = GuardrailSet.Load(resolved);
        foreach (var diagnostic in set.Diagnostics)
        {
            context.Error.WriteLine(diagnostic.ToString());
        }

        if (set.Guardrails.Count == 0)
        {
            context.Error.WriteLine($"error: no usable guardrails in {string.Join(", ", resolved)}");
            return null;
        }

        return set;
    }

    /// <summary>Reads manifests, reporting problems on stderr; <paramref name="hadErrors"/> tells whether any input was rejected.</summary>
    public static IReadOnlyList<Manifest> ReadManifests(CliContext context, IEnumerable<string> paths, out bool hadErrors)
    {
        var diagnostics = new List<AdmissionDiagnostic>();
        var manifests = new List<Manifest>();
        foreach (var path in paths)
        {
            // "-" reads stdin, so a live cluster can be scanned through kubectl: kubectl get … -o yaml | auditrail admission scan -
            if (path == "-")
            {
                using var reader = new StreamReader(context.OpenStdin());
                manifests.AddRange(ManifestReader.ReadText(reader.ReadToEnd(), "<stdin>", diagnostics));
            }
            else
            {
                manifests.AddRange(ManifestReader.ReadPaths([path], diagnostics));
            }
        }

        foreach (var diagnostic in diagnostics)
        {
            context.Error.WriteLine(diagnostic.ToString());
        }

        hadErrors = diagnostics.Exists(d => !d.IsWarning);
        return manifests;
    }

    /// <summary>
    /// A verb over manifests (check, scan): the manifests argument, the guardrail, namespace and
    /// output options, and an action that gets them prepared (<see cref="Prepare"/>).
    /// </summary>
    public static Command ManifestCommand(CliContext context, string name, string description, OutputFormat defaultFormat, string outputDescription,
        Func<ManifestRun, OutputFormat, CancellationToken, int> run)
    {
        var paths = new Argument<string[]>("manifests")
        {
            Description = "Object files or directories, or - for stdin: multi-document YAML, JSON, kind: List (kubectl get -o yaml output too).",
            Arity = ArgumentArity.OneOrMore,
        };
        var guardrails = GuardrailsOption();
        var namespaces = NamespacesOption();
        var output = OutputOption.Create(outputDescription);
        var command = new Command(name, description) { paths, guardrails, namespaces, output };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var prepared = Prepare(context, parseResult.GetValue(paths) ?? [], parseResult.GetValue(guardrails) ?? [], parseResult.GetValue(namespaces) ?? []);
            return Task.FromResult(prepared is null
                ? ExitCodes.UsageOrUnusableInput
                : run(prepared, parseResult.GetValue(output) ?? defaultFormat, cancellationToken));
        });
        return command;
    }

    /// <summary>
    /// Loads guardrails, the manifests and the namespaces (from <c>--namespaces</c> and among the
    /// manifests) and composes the pipeline; null, with the reason on stderr, when there is nothing to do.
    /// </summary>
    private static ManifestRun? Prepare(CliContext context, string[] paths, string[] guardrailPaths, string[] namespacePaths)
    {
        if (LoadGuardrails(context, guardrailPaths) is not { } guardrails)
        {
            return null;
        }

        var manifests = ReadManifests(context, paths, out var badInput);
        var namespaceManifests = ReadManifests(context, namespacePaths, out var badNamespaces);
        if (manifests.Count == 0)
        {
            context.Error.WriteLine("error: no objects read");
            return null;
        }

        var catalog = new NamespaceCatalog();
        catalog.AddRange(namespaceManifests);
        catalog.AddRange(manifests);
        return new ManifestRun(context, guardrails, manifests, Compose(guardrails, catalog), badInput || badNamespaces || guardrails.HasErrors);
    }

    /// <summary>
    /// The checks a review runs, in order. Guardrails validate and mutate; further validators (Pod
    /// Security Standards) join the validator list here.
    /// </summary>
    public static AdmissionPipeline Compose(GuardrailSet guardrails, INamespaceSource namespaces)
    {
        var validators = new List<IAdmissionValidator>();
        var mutators = new List<IAdmissionMutator>();
        validators.AddRange(guardrails.Guardrails.Where(g => g.HasValidations));
        mutators.AddRange(guardrails.Guardrails.Where(g => g.HasMutations));
        return new AdmissionPipeline(new AdmissionContext(namespaces), validators, mutators);
    }
}

/// <summary>What a manifest verb works with; <see cref="RejectedInput"/> says whether any guardrail or manifest was refused (exit 1).</summary>
internal sealed record ManifestRun(CliContext Context, GuardrailSet Guardrails, IReadOnlyList<Manifest> Manifests, AdmissionPipeline Pipeline, bool RejectedInput);
