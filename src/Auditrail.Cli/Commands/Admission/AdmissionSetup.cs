using System.CommandLine;
using Auditrail.Admission.Guardrails;
using Auditrail.Admission.Manifests;
using Auditrail.Admission.Pipeline;
using Auditrail.Admission.Review;
using Auditrail.Cli.Hosting;

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
        var manifests = ManifestReader.ReadPaths(paths, diagnostics);
        foreach (var diagnostic in diagnostics)
        {
            context.Error.WriteLine(diagnostic.ToString());
        }

        hadErrors = diagnostics.Exists(d => !d.IsWarning);
        return manifests;
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
