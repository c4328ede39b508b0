using System.CommandLine;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.PodSecurity;
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
        Description = "Guardrail files or directories (repeatable) instead of the bundled set; 'default' names the bundled set, so '-g default -g mine/' extends it; 'none' runs no guardrails.",
        HelpName = "FILE|DIR",
    };

    public static Option<string?> PodSecurityOption() => new("--pss")
    {
        Description = "Also enforce the Pod Security Standards at LEVEL[:VERSION] (privileged, baseline, restricted; version v1.N or latest, the default). "
            + "It is the namespace default: Pod Security labels on namespaces from --namespaces override it, as in a cluster. "
            + "Offline, a workload whose pod template breaks the level is denied like the pods it would create. '-g none --pss restricted' checks Pod Security alone.",
        HelpName = "LEVEL[:VERSION]",
    };

    /// <summary>
    /// The Pod Security configuration <c>--pss</c> asks for: the level as the enforce default (audit and
    /// warn stay privileged, so each violation is reported once), enforced on pod templates too. Null
    /// without the option; false, with the reason on stderr, when the value is not a level.
    /// </summary>
    public static bool TryParsePodSecurity(CliContext context, string? text, out PodSecurityConfiguration? configuration)
    {
        configuration = null;
        if (text is null)
        {
            return true;
        }

        if (!PodSecurityLevelVersion.TryParse(text, out var level, out var error))
        {
            context.Error.WriteLine($"error: --pss: {error}");
            return false;
        }

        var privileged = new PodSecurityLevelVersion(PodSecurityLevel.Privileged, PodSecurityVersion.Latest);
        configuration = new PodSecurityConfiguration { Defaults = new PodSecurityPolicy(level, privileged, privileged), EnforceOnTemplates = true };
        return true;
    }

    public static Option<string[]> NamespacesOption() => new("--namespaces")
    {
        Description = "Namespace objects (files or directories, repeatable) whose labels namespace selectors and namespaceObject read; Namespaces among the inputs count too.",
        HelpName = "FILE|DIR",
    };

    /// <summary>Loads guardrails; every problem goes to stderr. Null when none could be loaded (nothing to check with).</summary>
    public static GuardrailSet? LoadGuardrails(CliContext context, IReadOnlyList<string> paths)
    {
        // 'none' runs no guardrails (Pod Security alone, with --pss).
        if (paths.Count == 1 && paths[0] == "none" && !Path.Exists("none"))
        {
            return GuardrailSet.Load([]);
        }

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
        var podSecurity = PodSecurityOption();
        var output = OutputOption.Create(outputDescription);
        var command = new Command(name, description) { paths, guardrails, namespaces, podSecurity, output };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var prepared = TryParsePodSecurity(context, parseResult.GetValue(podSecurity), out var podSecurityConfiguration)
                ? Prepare(context, parseResult.GetValue(paths) ?? [], parseResult.GetValue(guardrails) ?? [], parseResult.GetValue(namespaces) ?? [], podSecurityConfiguration)
                : null;
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
    private static ManifestRun? Prepare(CliContext context, string[] paths, string[] guardrailPaths, string[] namespacePaths, PodSecurityConfiguration? podSecurity)
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
        return new ManifestRun(context, guardrails, manifests, Compose(guardrails, catalog, podSecurity), badInput || badNamespaces || guardrails.HasErrors);
    }

    /// <summary>
    /// The checks a review runs, in order: Pod Security Standards first (when asked for), as the
    /// apiserver's built-in plugin runs before webhooks, then the guardrails, which validate and mutate.
    /// </summary>
    public static AdmissionPipeline Compose(GuardrailSet guardrails, INamespaceSource namespaces, PodSecurityConfiguration? podSecurity = null)
    {
        var validators = new List<IAdmissionValidator>();
        if (podSecurity is not null)
        {
            validators.Add(new PodSecurityAdmissionCheck(podSecurity));
        }

        var mutators = new List<IAdmissionMutator>();
        validators.AddRange(guardrails.Guardrails.Where(g => g.HasValidations));
        mutators.AddRange(guardrails.Guardrails.Where(g => g.HasMutations));
        return new AdmissionPipeline(new AdmissionContext(namespaces), validators, mutators);
    }
}

/// <summary>What a manifest verb works with; <see cref="RejectedInput"/> says whether any guardrail or manifest was refused (exit 1).</summary>
internal sealed record ManifestRun(CliContext Context, GuardrailSet Guardrails, IReadOnlyList<Manifest> Manifests, AdmissionPipeline Pipeline, bool RejectedInput);
