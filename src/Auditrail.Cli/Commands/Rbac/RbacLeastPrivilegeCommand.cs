using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Rbac.AuditLog;
using Auditrail.Rbac.Authorization;
using Auditrail.Rbac.LeastPrivilege;
using Auditrail.Rbac.Loading;
using Auditrail.Rbac.Model;

namespace Auditrail.Cli.Commands.Rbac;

/// <summary>
/// <c>auditrail rbac least-privilege</c>: the Roles, ClusterRoles and bindings that allow what one
/// identity did in the logs, checked with the authorizer before they are printed.
/// </summary>
internal static class RbacLeastPrivilegeCommand
{
    public const string Examples = """
          # What does bob need? Roles and bindings to review, then apply
          auditrail rbac least-privilege --user bob /var/log/kubernetes/audit/ > bob-rbac.yaml

          # A service account, names and namespaces widened, as a kind: List in JSON
          auditrail rbac least-privilege --serviceaccount ci:deployer audit.log --widen-names --widen-namespaces -o json

          # Only what was refused last week, on top of what the cluster already grants
          auditrail rbac least-privilege --user alice audit.log --only-denied --context prod --since 7d
        """;

    public static Command Create(CliContext context)
    {
        var user = new Option<string?>("--user") { Description = "The user whose requests to cover (the impersonated user when a request was impersonated).", HelpName = "USER" };
        var serviceAccount = new Option<string?>("--serviceaccount") { Description = "The service account whose requests to cover.", HelpName = "NS:NAME" };
        var group = new Option<string?>("--group") { Description = "Cover the requests of every member of this group, bound to the Group.", HelpName = "GROUP" };
        var paths = new Argument<string[]>("logs")
        {
            Description = "Audit logs: files, directories or - for stdin, in any format `auditrail read` takes.",
            Arity = ArgumentArity.OneOrMore,
        };
        var since = new Option<string?>("--since") { Description = "Only requests at or after this time: RFC 3339, or a duration (30d, 12h, 90m, 2w) counted back from the latest event in the logs." };
        var until = new Option<string?>("--until") { Description = "Only requests before this time (RFC 3339)." };
        var generateName = new Option<string?>("--generate-name") { Description = "Name of the generated objects (default auditrail:<identity>).", HelpName = "NAME" };
        var widenNames = new Option<bool>("--widen-names") { Description = "Drop resourceNames: allow every object of a resource the identity used, not only those it named." };
        var widenNamespaces = new Option<bool>("--widen-namespaces") { Description = "Allow namespaced requests in every namespace: one ClusterRole and ClusterRoleBinding instead of a Role per namespace." };
        var expandVerbs = new Option<bool>("--expand-verbs") { Description = "Add the verbs audit2rbac adds (list/watch → get, list, watch; update/patch → get, patch, update). The default." };
        var noExpandVerbs = new Option<bool>("--no-expand-verbs") { Description = "Grant only the verbs observed." };
        var annotations = new Option<bool>("--annotations") { Description = "Label and annotate the generated objects (auditrail.io/generated, auditrail.io/identity, the requests they come from)." };
        var onlyDenied = new Option<bool>("--only-denied") { Description = "Cover only requests that were refused (by default every request counts, whatever its response)." };
        var onlyAllowed = new Option<bool>("--only-allowed") { Description = "Cover only requests that were allowed." };
        var includeDiscovery = new Option<bool>("--include-discovery") { Description = "Also generate rules for what every authenticated user may do under the bootstrap policy (discovery, /healthz, /version, self reviews)." };
        var output = OutputOption.Create("default yaml: one document per object; json: a kind: List; table: one row per rule");
        var input = new RbacInput();
        var command = new Command("least-privilege", "Generate the Roles, ClusterRoles and bindings that allow exactly what one identity did in audit logs (as audit2rbac does), and check with the authorizer that they allow every logged request. With --rbac, --kubeconfig or --context, requests the existing RBAC already allows get nothing.")
        {
            user, serviceAccount, group, paths, since, until, generateName, widenNames, widenNamespaces, expandVerbs, noExpandVerbs, annotations,
            onlyDenied, onlyAllowed, includeDiscovery, output,
        };
        input.AddTo(command);
        ExitCodeHelp.Set(command, "Exit codes: 0 generated and verified, 1 the verification failed or some input was rejected, 2 usage error, unusable input or no request of the identity.");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!TryGetIdentity(context, parseResult.GetValue(user), parseResult.GetValue(serviceAccount), parseResult.GetValue(group), out var subject))
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var exclusive = new[] { (parseResult.GetValue(expandVerbs) && parseResult.GetValue(noExpandVerbs), "--expand-verbs and --no-expand-verbs"), (parseResult.GetValue(onlyDenied) && parseResult.GetValue(onlyAllowed), "--only-denied and --only-allowed") };
            foreach (var (conflict, names) in exclusive.Where(e => e.Item1))
            {
                context.Error.WriteLine($"error: {names} cannot be used together");
                return ExitCodes.UsageOrUnusableInput;
            }

            if (!RbacLogs.TryParseSince(context, parseResult.GetValue(since), out var from) || !TimeOptions.TryParse(context, "--until", parseResult.GetValue(until), out var to))
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            LoadedRbac? existing = null;
            if (input.IsGiven(parseResult) && (existing = await input.LoadAsync(parseResult, context, cancellationToken).ConfigureAwait(false)) is null)
            {
                return ExitCodes.UsageOrUnusableInput;
            }

            var options = new Options(subject, parseResult.GetValue(paths) ?? [], from, to, parseResult.GetValue(generateName),
                parseResult.GetValue(widenNames), parseResult.GetValue(widenNamespaces), !parseResult.GetValue(noExpandVerbs), parseResult.GetValue(annotations),
                parseResult.GetValue(onlyDenied) ? RequestOutcome.Denied : parseResult.GetValue(onlyAllowed) ? RequestOutcome.Allowed : null,
                parseResult.GetValue(includeDiscovery), parseResult.GetValue(output) ?? OutputFormat.Yaml);
            var code = Run(context, options, existing?.Snapshot, cancellationToken);
            return code == ExitCodes.Success && existing is { HadErrors: true } ? ExitCodes.BadRecords : code;
        });
        return command;
    }

    private sealed record Options(RbacSubject Subject, string[] Paths, Since Since, DateTimeOffset? Until, string? Name, bool WidenNames, bool WidenNamespaces,
        bool ExpandVerbs, bool Annotations, RequestOutcome? Only, bool IncludeDiscovery, OutputFormat Format);

    private static int Run(CliContext context, Options options, RbacSnapshot? existingRbac, CancellationToken cancellationToken)
    {
        var subject = options.Subject;
        var (collector, counters) = RbacLogs.Read(context, options.Paths, r => AuditRequestMapper.IsMadeBy(r, subject), cancellationToken);
        RbacLogs.ReportSkipped(context, collector);
        if (counters.Events == 0)
        {
            context.Error.WriteLine("error: no events read");
            return ExitCodes.UsageOrUnusableInput;
        }

        var all = collector.Requests(options.Since.Resolve(collector.Latest), options.Until);
        var requests = options.Only is { } only ? [.. all.Where(r => r.Outcome == only)] : all;
        var identity = subject.Describe();
        if (requests.Count == 0)
        {
            var which = options.Only is { } o ? $" {o.ToString().ToLowerInvariant()}" : string.Empty;
            context.Error.WriteLine($"error: no{which} request by {identity} in {counters.Events:N0} events{(all.Count > 0 ? $" ({all.Count} other distinct request(s))" : string.Empty)}");
            return ExitCodes.UsageOrUnusableInput;
        }

        DescribeRequests(context, identity, requests, options.Only is null);
        var existing = SnapshotLayers.Combine(options.IncludeDiscovery ? null : DiscoveryRbac.Snapshot, existingRbac);
        var name = options.Name ?? DefaultName(subject);
        var generated = LeastPrivilegeGenerator.Generate(subject, requests, existing, new LeastPrivilegeOptions
        {
            Name = name,
            ExpandVerbs = options.ExpandVerbs,
            WidenNames = options.WidenNames,
            WidenNamespaces = options.WidenNamespaces,
            Labels = options.Annotations ? Labels(subject) : new Dictionary<string, string>(StringComparer.Ordinal),
            Annotations = options.Annotations ? Annotations(subject, requests) : new Dictionary<string, string>(StringComparer.Ordinal),
        });

        // Verify what is printed, not the objects in memory: the manifest is read back with the loader.
        var manifest = Manifest(generated);
        var reloaded = RbacLoader.LoadText(manifest, "generated");
        var verified = Verify(context, requests, SnapshotLayers.Combine(existing, reloaded.Snapshot), identity);
        if (reloaded.HasErrors)
        {
            foreach (var diagnostic in reloaded.Diagnostics.Where(d => d.IsError))
            {
                context.Error.WriteLine(diagnostic.ToString());
            }
        }

        if (generated.AlreadyAllowed.Count > 0)
        {
            context.Error.WriteLine($"{generated.AlreadyAllowed.Count} distinct request(s) already allowed by {(existingRbac is null ? "the bootstrap discovery roles" : "the existing RBAC")}: nothing generated for them{(existingRbac is null && !options.IncludeDiscovery ? " (--include-discovery to generate them too)" : string.Empty)}");
        }

        if (generated.Roles.Count == 0)
        {
            context.Error.WriteLine($"nothing to generate: every request of {identity} is already allowed");
        }

        WriteOutput(context, generated, manifest, options.Format);
        context.Error.WriteLine($"generated {Count(generated, true)} ClusterRole(s) and {Count(generated, false)} Role(s) with {generated.RuleCount} rule(s) for {identity}");
        return verified && !reloaded.HasErrors && counters.Errors == 0 ? ExitCodes.Success : ExitCodes.BadRecords;
    }

    private static bool TryGetIdentity(CliContext context, string? user, string? serviceAccount, string? group, out RbacSubject subject)
    {
        subject = null!;
        var given = new[] { user, serviceAccount, group }.Count(v => v is not null);
        if (given != 1)
        {
            context.Error.WriteLine(given == 0
                ? "error: say whose requests to cover: --user USER, --serviceaccount NS:NAME or --group GROUP"
                : "error: give only one of --user, --serviceaccount and --group");
            return false;
        }

        if (serviceAccount is not null)
        {
            var parts = serviceAccount.Split(':');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                context.Error.WriteLine($"error: --serviceaccount '{serviceAccount}' must be NAMESPACE:NAME");
                return false;
            }

            subject = new RbacSubject(SubjectKind.ServiceAccount, parts[1], parts[0]);
            return true;
        }

        var value = user ?? group!;
        if (value.Length == 0)
        {
            context.Error.WriteLine($"error: {(user is not null ? "--user" : "--group")} needs a name");
            return false;
        }

        // A service account's username names the service account: bind it as one, as audit2rbac does.
        subject = user is not null && RequestAttributes.TryParseServiceAccount(user, out var ns, out var saName)
            ? new RbacSubject(SubjectKind.ServiceAccount, saName, ns)
            : new RbacSubject(user is not null ? SubjectKind.User : SubjectKind.Group, value);
        return true;
    }

    /// <summary><c>auditrail:</c> and the identity, with characters a name should not hold replaced.</summary>
    internal static string DefaultName(RbacSubject subject)
    {
        var identity = subject.Kind switch
        {
            SubjectKind.ServiceAccount => $"{subject.Namespace}:{subject.Name}",
            SubjectKind.Group => $"group:{subject.Name}",
            _ => subject.Name,
        };
        var name = new StringBuilder("auditrail:");
        foreach (var c in identity.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is ':' or '.' or '-' ? c : '-');
        }

        return name.ToString();
    }

    private static Dictionary<string, string> Labels(RbacSubject subject)
    {
        // A label value: at most 63 of [A-Za-z0-9._-], beginning and ending with a letter or digit.
        var value = new string([.. subject.Describe().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]);
        value = value[..Math.Min(value.Length, 63)].Trim('-', '.', '_');
        return new Dictionary<string, string>(StringComparer.Ordinal) { ["auditrail.io/generated"] = "true", ["auditrail.io/identity"] = value };
    }

    private static Dictionary<string, string> Annotations(RbacSubject subject, IReadOnlyList<LoggedRequest> requests)
    {
        var first = requests.Select(r => r.FirstSeen).Where(t => t is not null).Min();
        var last = requests.Select(r => r.LastSeen).Where(t => t is not null).Max();
        var window = first is { } f && last is { } l ? $" from {f.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} to {l.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["auditrail.io/generated-by"] = "auditrail rbac least-privilege",
            ["auditrail.io/identity"] = subject.Describe(),
            ["auditrail.io/observed"] = $"{requests.Sum(r => r.Count)} request(s), {requests.Count} distinct{window}",
        };
    }

    private static void DescribeRequests(CliContext context, string identity, IReadOnlyList<LoggedRequest> requests, bool everyOutcome)
    {
        long Sum(RequestOutcome outcome) => requests.Where(r => r.Outcome == outcome).Sum(r => r.Count);
        var impersonations = requests.Where(r => r.IsImpersonation).Sum(r => r.Count);
        var line = $"{requests.Sum(r => r.Count)} request(s) by {identity} ({requests.Count} distinct): {Sum(RequestOutcome.Allowed)} allowed, {Sum(RequestOutcome.Denied)} denied";
        if (Sum(RequestOutcome.Unknown) > 0)
        {
            line += $", {Sum(RequestOutcome.Unknown)} without a logged response";
        }

        if (impersonations > 0)
        {
            line += $"; {impersonations} impersonation check(s) it passed to act as others";
        }

        context.Error.WriteLine(line + (everyOutcome ? "; all are covered (--only-denied or --only-allowed to choose)" : string.Empty));
    }

    private static bool Verify(CliContext context, IReadOnlyList<LoggedRequest> requests, RbacSnapshot snapshot, string identity)
    {
        var authorizer = new RbacAuthorizer(snapshot);
        var refused = requests.Where(r => !authorizer.Authorize(r.Attributes).Allowed).ToList();
        if (refused.Count == 0)
        {
            context.Error.WriteLine($"verified: the generated RBAC allows all {requests.Count} distinct request(s) of {identity}");
            return true;
        }

        foreach (var request in refused)
        {
            context.Error.WriteLine($"error: the generated RBAC does not allow {request.Attributes}");
        }

        context.Error.WriteLine($"verification failed: {refused.Count} of {requests.Count} distinct request(s) of {identity} not allowed");
        return false;
    }

    private static string Manifest(GeneratedRbac generated)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.Indented))
        {
            RbacManifestWriter.WriteList(writer, generated);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteOutput(CliContext context, GeneratedRbac generated, string manifest, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.Json:
                context.Out.WriteLine(manifest);
                break;
            case OutputFormat.Yaml:
                // One document per object, as kubectl apply -f takes them and as people review them.
                using (var document = JsonDocument.Parse(manifest))
                {
                    var yaml = new JsonToYaml(context.Out);
                    foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
                    {
                        yaml.WriteDocument(item);
                    }

                    yaml.Finish();
                }

                break;
            default:
                var rows = generated.Roles.SelectMany(role => role.Rules.Select(rule => new[] { role.Kind, role.Namespace.Length == 0 ? "-" : role.Namespace, role.Name, rule.ToString() })).ToList();
                RbacTable.Write(context.Out, ["KIND", "NAMESPACE", "NAME", "RULE"], rows);
                foreach (var binding in generated.Bindings)
                {
                    context.Out.WriteLine($"{binding.DisplayName} binds {string.Join(", ", binding.Subjects.Select(s => s.Describe(binding.Namespace)))} to {binding.RoleRef}");
                }

                break;
        }
    }

    private static int Count(GeneratedRbac generated, bool clusterRoles) => generated.Roles.Count(r => r.IsClusterRole == clusterRoles);
}
