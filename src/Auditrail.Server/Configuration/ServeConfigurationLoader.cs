using System.Globalization;
using System.Text.RegularExpressions;
using Auditrail.Admission.PodSecurity;
using Auditrail.Server.Admission;
using Auditrail.Server.Hosting;
using Microsoft.Extensions.Logging;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Server.Configuration;

/// <summary>Command-line values that take precedence over the file.</summary>
public sealed record ServeOverrides
{
    public IReadOnlyList<string> Listen { get; init; } = [];

    public string? TlsCertificateFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary><c>--data DIR</c>: the data directory, over <c>dataDirectory</c>.</summary>
    public string? DataDirectory { get; init; }
}

/// <summary>
/// Reads and validates the serve configuration. Every problem is collected, each with file:line:column
/// and the field path, so one run shows everything to fix; a configuration with any problem is refused
/// whole, because a server that starts on half its settings fails later and less clearly. Unknown
/// fields are errors for the same reason: a misspelt <c>failurePolicy</c> would silently leave the default.
/// </summary>
public static partial class ServeConfigurationLoader
{
    private static readonly string[] RootKeys =
    [
        "apiVersion", "kind", "listen", "tls", "shutdownTimeout", "logging", "admission",
        "dataDirectory", "ingest", "api", "sources", "detection", "sinks", "responses", "store", "metrics",
    ];
    private static readonly string[] TlsKeys = ["certFile", "keyFile", "reloadInterval"];
    private static readonly string[] LoggingKeys = ["level", "format"];
    private static readonly string[] AdmissionKeys = ["failurePolicy", "timeout", "maxRequestBytes", "maxNestingDepth", "guardrails", "podSecurity", "namespaces", "kubeconfig"];
    private static readonly string[] PodSecurityKeys = ["defaults", "exemptions", "enforceOnTemplates"];
    private static readonly string[] ModeKeys = ["enforce", "enforce-version", "audit", "audit-version", "warn", "warn-version"];
    private static readonly string[] ExemptionKeys = ["usernames", "namespaces", "runtimeClasses"];

    /// <summary>
    /// webhooks may wait at most 30 s (timeoutSeconds' upper bound), so a budget at or above it can never
    /// fire before kube-apiserver gives up; below 10 ms it would fail healthy reviews under load.
    /// </summary>
    private static readonly TimeSpan MinBudget = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxBudget = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The configuration from <paramref name="path"/> (or the defaults when null) with the overrides applied, and its problems.
    /// <paramref name="environment"/> looks up the variables tokens are read from (the process environment when null).
    /// </summary>
    public static ConfigLoadResult Load(string? path, ServeOverrides? overrides = null, Func<string, string?>? environment = null)
    {
        overrides ??= new ServeOverrides();
        var problems = new List<ConfigProblem>();
        var configuration = new ServeConfiguration();
        if (path is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
                return new ConfigLoadResult(null, [new ConfigProblem(path, 0, 0, ConfigCodes.MissingFile, string.Empty, $"cannot read the configuration: {reason}")]);
            }

            var reader = new Reader(path, Path.GetDirectoryName(Path.GetFullPath(path))!, problems, environment ?? Environment.GetEnvironmentVariable);
            configuration = reader.Read(text) ?? configuration;
        }

        configuration = ApplyOverrides(configuration, overrides, problems);
        if (configuration.Ingest.ClientCertificateAuthorityFile is not null && configuration.Tls is null)
        {
            problems.Add(new ConfigProblem(path ?? "--tls-cert", 0, 0, ConfigCodes.Conflict, "ingest.clientCA",
                "client certificates need TLS: set tls.certFile and tls.keyFile (or --tls-cert and --tls-key)"));
        }

        return new ConfigLoadResult(problems.Count == 0 ? configuration : null, InFileOrder(problems));
    }

    /// <summary>Problems in the file by line and column, then those of the command line, as an editor lists them.</summary>
    private static List<ConfigProblem> InFileOrder(List<ConfigProblem> problems) =>
        [.. problems.OrderBy(p => p.Line == 0).ThenBy(p => p.Line).ThenBy(p => p.Column)];

    private static ServeConfiguration ApplyOverrides(ServeConfiguration configuration, ServeOverrides overrides, List<ConfigProblem> problems)
    {
        if (overrides.DataDirectory is { } data)
        {
            if (data.Length == 0)
            {
                problems.Add(new ConfigProblem("--data", 0, 0, ConfigCodes.InvalidValue, string.Empty, "must not be empty"));
            }
            else
            {
                configuration = configuration with { DataDirectory = Path.GetFullPath(data) };
            }
        }

        if (overrides.Listen.Count > 0)
        {
            var addresses = new List<ListenAddress>();
            foreach (var text in overrides.Listen)
            {
                if (ListenAddress.TryParse(text, out var address, out var error))
                {
                    addresses.Add(address);
                }
                else
                {
                    problems.Add(new ConfigProblem("--listen", 0, 0, ConfigCodes.InvalidValue, string.Empty, error));
                }
            }

            configuration = configuration with { Listen = addresses };
        }

        if (overrides.TlsCertificateFile is not null || overrides.TlsKeyFile is not null)
        {
            var certificate = overrides.TlsCertificateFile ?? configuration.Tls?.CertificateFile;
            var key = overrides.TlsKeyFile ?? configuration.Tls?.KeyFile;
            if (certificate is null || key is null)
            {
                problems.Add(new ConfigProblem(certificate is null ? "--tls-cert" : "--tls-key", 0, 0, ConfigCodes.Conflict, string.Empty,
                    "TLS needs both a certificate and a key: give --tls-cert and --tls-key together (or set tls.certFile and tls.keyFile)"));
            }
            else
            {
                foreach (var (option, named) in new[] { ("--tls-cert", overrides.TlsCertificateFile), ("--tls-key", overrides.TlsKeyFile) })
                {
                    if (named is not null && !File.Exists(named))
                    {
                        problems.Add(new ConfigProblem(option, 0, 0, ConfigCodes.MissingFile, string.Empty, $"no such file: {named}"));
                    }
                }

                var interval = configuration.Tls?.ReloadInterval ?? TlsOptions.DefaultReloadInterval;
                configuration = configuration with { Tls = new TlsFiles(Path.GetFullPath(certificate), Path.GetFullPath(key)) { ReloadInterval = interval } };
            }
        }

        return configuration;
    }

    /// <summary>One file's read: the problems, and the folder relative paths are resolved against.</summary>
    private sealed partial class Reader(string file, string baseDirectory, List<ConfigProblem> problems, Func<string, string?> environment)
    {
        public ServeConfiguration? Read(string text)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException ex)
            {
                problems.Add(new ConfigProblem(file, (int)ex.Start.Line, (int)ex.Start.Column, ConfigCodes.YamlSyntax, string.Empty, ex.InnerException?.Message ?? ex.Message));
                return null;
            }

            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                var place = stream.Documents.Count > 0 ? stream.Documents[^1].RootNode : null;
                problems.Add(new ConfigProblem(file, (int)(place?.Start.Line ?? 1), (int)(place?.Start.Column ?? 1), ConfigCodes.NotAConfiguration, string.Empty,
                    $"expected one YAML document, a mapping with apiVersion {ServeConfiguration.ApiVersion} and kind {ServeConfiguration.Kind}"));
                return null;
            }

            var apiVersion = ScalarOf(root, "apiVersion");
            var kind = ScalarOf(root, "kind");
            if (apiVersion != ServeConfiguration.ApiVersion || kind != ServeConfiguration.Kind)
            {
                Problem(root, ConfigCodes.NotAConfiguration, string.Empty,
                    $"expected apiVersion {ServeConfiguration.ApiVersion} and kind {ServeConfiguration.Kind}, found {apiVersion ?? "no apiVersion"} and {kind ?? "no kind"}");
                return null;
            }

            CheckKeys(root, RootKeys, string.Empty);
            var defaults = new ServeConfiguration();
            return new ServeConfiguration
            {
                File = file,
                Listen = ReadListen(Child(root, "listen")) ?? defaults.Listen,
                Tls = Child(root, "tls") is { } tls ? ReadTls(tls) : null,
                ShutdownTimeout = Duration(Child(root, "shutdownTimeout"), "shutdownTimeout", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)) ?? defaults.ShutdownTimeout,
                Logging = Child(root, "logging") is { } logging ? ReadLogging(logging) : defaults.Logging,
                Admission = Child(root, "admission") is { } admission ? ReadAdmission(admission) : defaults.Admission,
                DataDirectory = PathValue(Child(root, "dataDirectory"), "dataDirectory", PathKind.Any) ?? defaults.DataDirectory,
                Ingest = Child(root, "ingest") is { } ingest ? ReadIngest(ingest) : defaults.Ingest,
                Api = Child(root, "api") is { } api ? ReadApi(api) : defaults.Api,
                FileSources = Child(root, "sources") is { } sources ? ReadSources(sources) : defaults.FileSources,
                Detection = Child(root, "detection") is { } detection ? ReadDetection(detection) : defaults.Detection,
                Sinks = Child(root, "sinks") is { } sinks ? ReadSinks(sinks) : defaults.Sinks,
                Responses = Child(root, "responses") is { } responses ? ReadResponses(responses) : null,
                Store = Child(root, "store") is { } store ? ReadStore(store) : defaults.Store,
                Metrics = Child(root, "metrics") is { } metrics ? ReadMetrics(metrics) : defaults.Metrics,
            };
        }

        private List<ListenAddress>? ReadListen(YamlNode? node)
        {
            if (node is null || IsNull(node))
            {
                return null;
            }

            // One address as a scalar, or several as a list.
            var items = node is YamlSequenceNode sequence ? sequence.Children.ToList() : [node];
            var addresses = new List<ListenAddress>();
            for (var i = 0; i < items.Count; i++)
            {
                var path = node is YamlSequenceNode ? $"listen[{i}]" : "listen";
                if (String(items[i], path) is { } text)
                {
                    if (ListenAddress.TryParse(text, out var address, out var error))
                    {
                        addresses.Add(address);
                    }
                    else
                    {
                        Problem(items[i], ConfigCodes.InvalidValue, path, error);
                    }
                }
            }

            if (addresses.Count == 0 && items.Count == 0)
            {
                Problem(node, ConfigCodes.InvalidValue, "listen", "at least one address is needed");
            }

            return addresses;
        }

        private TlsFiles? ReadTls(YamlNode node)
        {
            if (Mapping(node, "tls", TlsKeys) is not { } tls)
            {
                return null;
            }

            var certificate = PathValue(Child(tls, "certFile"), "tls.certFile", PathKind.File);
            var key = PathValue(Child(tls, "keyFile"), "tls.keyFile", PathKind.File);
            var interval = Duration(Child(tls, "reloadInterval"), "tls.reloadInterval", TimeSpan.FromSeconds(1), TimeSpan.FromHours(24)) ?? TlsOptions.DefaultReloadInterval;
            if (certificate is null || key is null)
            {
                Problem(tls, ConfigCodes.InvalidValue, "tls", "certFile and keyFile are both required (PEM files; the server reloads them when they change)");
                return null;
            }

            return new TlsFiles(certificate, key) { ReloadInterval = interval };
        }

        private LogSettings ReadLogging(YamlNode node)
        {
            var defaults = new LogSettings();
            if (Mapping(node, "logging", LoggingKeys) is not { } logging)
            {
                return defaults;
            }

            var level = OneOf(Child(logging, "level"), "logging.level", ["debug", "info", "warning", "error"]) switch
            {
                "debug" => LogLevel.Debug,
                "warning" => LogLevel.Warning,
                "error" => LogLevel.Error,
                "info" => LogLevel.Information,
                _ => defaults.Level,
            };
            var format = OneOf(Child(logging, "format"), "logging.format", ["json", "text"]) switch
            {
                "text" => LogFormat.Text,
                "json" => LogFormat.Json,
                _ => defaults.Format,
            };
            return new LogSettings { Level = level, Format = format };
        }

        private AdmissionSettings ReadAdmission(YamlNode node)
        {
            var defaults = new AdmissionSettings();
            if (Mapping(node, "admission", AdmissionKeys) is not { } admission)
            {
                return defaults;
            }

            var policy = OneOf(Child(admission, "failurePolicy"), "admission.failurePolicy", ["Fail", "Ignore"]) switch
            {
                "Ignore" => FailurePolicy.Ignore,
                "Fail" => FailurePolicy.Fail,
                _ => defaults.FailurePolicy,
            };
            var bytes = Bytes(Child(admission, "maxRequestBytes"), "admission.maxRequestBytes", 64 * 1024, 64L * 1024 * 1024);
            var depth = Integer(Child(admission, "maxNestingDepth"), "admission.maxNestingDepth", 16, 1000);
            var namespacesNode = Child(admission, "namespaces");
            var kubeconfigNode = Child(admission, "kubeconfig");
            if (namespacesNode is not null && !IsNull(namespacesNode) && kubeconfigNode is not null && !IsNull(kubeconfigNode))
            {
                // One source of truth for namespace labels: mixing files with a live cache would let a stale file win over the cluster.
                Problem(kubeconfigNode, ConfigCodes.InvalidValue, "admission.kubeconfig", "give admission.namespaces (static Namespace objects) or admission.kubeconfig (watch the cluster), not both");
            }

            return new AdmissionSettings
            {
                FailurePolicy = policy,
                TimeBudget = Duration(Child(admission, "timeout"), "admission.timeout", MinBudget, MaxBudget) ?? defaults.TimeBudget,
                MaxRequestBytes = (int?)bytes ?? defaults.MaxRequestBytes,
                MaxNestingDepth = depth ?? defaults.MaxNestingDepth,
                GuardrailDirectories = Paths(Child(admission, "guardrails"), "admission.guardrails", PathKind.Directory),
                PodSecurity = Child(admission, "podSecurity") is { } podSecurity ? ReadPodSecurity(podSecurity) : defaults.PodSecurity,
                NamespaceFiles = Paths(namespacesNode, "admission.namespaces", PathKind.FileOrDirectory),
                Kubeconfig = PathValue(kubeconfigNode, "admission.kubeconfig", PathKind.File),
            };
        }

        /// <summary>One path or a list of them, each resolved and required to exist.</summary>
        private List<string> Paths(YamlNode? node, string path, PathKind kind) => node switch
        {
            null => [],
            YamlScalarNode scalar when !IsNull(scalar) => PathValue(scalar, path, kind) is { } one ? [one] : [],
            YamlSequenceNode list => list.Children.Select((item, i) => PathValue(item, $"{path}[{i}]", kind)).OfType<string>().ToList(),
            _ => Strings(node, path),
        };

        private PodSecurityConfiguration ReadPodSecurity(YamlNode node)
        {
            var defaults = new PodSecurityConfiguration();
            if (Mapping(node, "admission.podSecurity", PodSecurityKeys) is not { } podSecurity)
            {
                return defaults;
            }

            var configuration = defaults with
            {
                EnforceOnTemplates = Boolean(Child(podSecurity, "enforceOnTemplates"), "admission.podSecurity.enforceOnTemplates") ?? defaults.EnforceOnTemplates,
            };
            if (Child(podSecurity, "defaults") is { } modesNode && Mapping(modesNode, "admission.podSecurity.defaults", ModeKeys) is { } modesMap)
            {
                configuration = configuration with
                {
                    Defaults = new PodSecurityPolicy(LevelVersion(modesMap, "enforce"), LevelVersion(modesMap, "audit"), LevelVersion(modesMap, "warn")),
                };
            }

            if (Child(podSecurity, "exemptions") is { } exemptionsNode && Mapping(exemptionsNode, "admission.podSecurity.exemptions", ExemptionKeys) is { } exemptionsMap)
            {
                const string prefix = "admission.podSecurity.exemptions.";
                configuration = configuration with
                {
                    ExemptUsernames = Names(Child(exemptionsMap, "usernames"), prefix + "usernames", null, null),
                    ExemptNamespaces = Names(Child(exemptionsMap, "namespaces"), prefix + "namespaces", DnsLabel(), "a namespace name (DNS-1123 label)"),
                    ExemptRuntimeClasses = Names(Child(exemptionsMap, "runtimeClasses"), prefix + "runtimeClasses", DnsSubdomain(), "a RuntimeClass name (DNS-1123 subdomain)"),
                };
            }

            return configuration;
        }

        /// <summary>A mode's level and version, parsed by the Pod Security checks' own parsers, so the server accepts exactly what they understand.</summary>
        private PodSecurityLevelVersion LevelVersion(YamlMappingNode modes, string mode)
        {
            var path = $"admission.podSecurity.defaults.{mode}";
            var level = PodSecurityLevel.Privileged;
            if (Child(modes, mode) is { } levelNode && String(levelNode, path) is { } levelText && !PodSecurityLevels.TryParse(levelText, out level))
            {
                Problem(levelNode, ConfigCodes.InvalidValue, path, $"expected one of {PodSecurityLevels.ValidValues}, found '{levelText}'");
            }

            var version = PodSecurityVersion.Latest;
            if (Child(modes, mode + "-version") is { } versionNode && String(versionNode, path + "-version") is { } versionText
                && !PodSecurityVersion.TryParse(versionText, out version))
            {
                Problem(versionNode, ConfigCodes.InvalidValue, path + "-version", $"expected 'latest' or a version such as v1.30, found '{versionText}'");
            }

            return new PodSecurityLevelVersion(level, version);
        }

        /// <summary>Exemption names: non-empty, no repeats, and of the right shape when the kind of name has one.</summary>
        private List<string> Names(YamlNode? node, string path, Regex? shape, string? shapeName)
        {
            var names = new List<string>();
            if (node is null)
            {
                return names;
            }

            var items = node as YamlSequenceNode;
            var values = Strings(node, path);
            for (var i = 0; i < values.Count; i++)
            {
                var place = items?.Children[i] ?? node;
                var value = values[i];
                if (value.Length == 0)
                {
                    Problem(place, ConfigCodes.InvalidValue, $"{path}[{i}]", "must not be empty");
                }
                else if (shape is not null && !shape.IsMatch(value))
                {
                    Problem(place, ConfigCodes.InvalidValue, $"{path}[{i}]", $"'{value}' is not {shapeName}");
                }
                else if (names.Contains(value, StringComparer.Ordinal))
                {
                    Problem(place, ConfigCodes.InvalidValue, $"{path}[{i}]", $"'{value}' is listed twice");
                }
                else
                {
                    names.Add(value);
                }
            }

            return names;
        }

        private YamlMappingNode? Mapping(YamlNode node, string path, string[] knownKeys)
        {
            if (node is YamlMappingNode mapping)
            {
                CheckKeys(mapping, knownKeys, path);
                return mapping;
            }

            if (!IsNull(node))
            {
                Problem(node, ConfigCodes.WrongType, path, "expected a mapping");
            }

            return null;
        }

        private void CheckKeys(YamlMappingNode node, string[] known, string path)
        {
            foreach (var key in node.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                if (!known.Contains(name, StringComparer.Ordinal))
                {
                    var near = known.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase))
                        ?? known.FirstOrDefault(k => EditDistance(k, name) <= 2);
                    var hint = near is null ? $"known fields: {string.Join(", ", known)}" : $"did you mean {near}?";
                    Problem(key, ConfigCodes.UnknownField, path.Length == 0 ? name : $"{path}.{name}", $"unknown field ({hint})");
                }
            }
        }

        private string? String(YamlNode node, string path)
        {
            if (node is YamlScalarNode scalar)
            {
                return IsNull(scalar) ? null : scalar.Value;
            }

            Problem(node, ConfigCodes.WrongType, path, "expected a string");
            return null;
        }

        private List<string> Strings(YamlNode node, string path)
        {
            if (IsNull(node))
            {
                return [];
            }

            if (node is not YamlSequenceNode sequence)
            {
                Problem(node, ConfigCodes.WrongType, path, "expected a list");
                return [];
            }

            var values = new List<string>();
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                values.Add(String(sequence.Children[i], $"{path}[{i}]") ?? string.Empty);
            }

            return values;
        }

        private string? OneOf(YamlNode? node, string path, string[] allowed)
        {
            if (node is null || String(node, path) is not { } value)
            {
                return null;
            }

            if (allowed.Contains(value, StringComparer.Ordinal))
            {
                return value;
            }

            var sameLetters = allowed.FirstOrDefault(a => a.Equals(value, StringComparison.OrdinalIgnoreCase));
            var misspelt = sameLetters is null ? allowed.FirstOrDefault(a => EditDistance(a, value) <= 2) : null;
            var hint = sameLetters is not null ? $" (values are case-sensitive: {sameLetters})" : misspelt is not null ? $" (did you mean {misspelt}?)" : string.Empty;
            Problem(node, ConfigCodes.InvalidValue, path, $"expected {string.Join(" or ", allowed)}, found '{value}'{hint}");
            return null;
        }

        /// <summary>A path, resolved against the configuration's folder; it must exist when the server starts, unless the server creates it (<see cref="PathKind.Any"/>).</summary>
        private string? PathValue(YamlNode? node, string path, PathKind kind)
        {
            if (node is null || String(node, path) is not { Length: > 0 } value)
            {
                return null;
            }

            var full = Path.GetFullPath(value, baseDirectory);
            var exists = kind switch
            {
                PathKind.File => File.Exists(full),
                PathKind.Directory => Directory.Exists(full),
                PathKind.Any => true,
                _ => Path.Exists(full),
            };
            if (!exists)
            {
                var what = kind switch { PathKind.File => "file", PathKind.Directory => "directory", _ => "file or directory" };
                Problem(node, ConfigCodes.MissingFile, path, $"no such {what}: {full}");
            }

            return full;
        }

        private bool? Boolean(YamlNode? node, string path) => OneOf(node, path, ["true", "false"]) switch
        {
            "true" => true,
            "false" => false,
            _ => null,
        };

        private TimeSpan? Duration(YamlNode? node, string path, TimeSpan min, TimeSpan max) =>
            Ranged<TimeSpan>(node, path, ConfigValues.TryParseDuration, "a duration such as 2s, 500ms or 1m30s", min, max, Show);

        private long? Bytes(YamlNode? node, string path, long min, long max) =>
            Ranged<long>(node, path, ConfigValues.TryParseBytes, "a byte quantity such as 8Mi or 1048576", min, max, bytes => $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes");

        private int? Integer(YamlNode? node, string path, int min, int max) =>
            Ranged<int>(node, path, static (string text, out int value) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value),
                "a whole number", min, max, value => value.ToString(CultureInfo.InvariantCulture));

        /// <summary>A scalar in its syntax and within bounds; null (with a problem) when it is neither.</summary>
        private T? Ranged<T>(YamlNode? node, string path, TryParse<T> parse, string expected, T min, T max, Func<T, string> show)
            where T : struct, IComparable<T>
        {
            if (node is null || String(node, path) is not { } text)
            {
                return null;
            }

            if (!parse(text, out var value))
            {
                Problem(node, ConfigCodes.InvalidValue, path, $"'{text}' is not {expected}");
                return null;
            }

            if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
            {
                Problem(node, ConfigCodes.InvalidValue, path, $"{text} is outside {show(min)}..{show(max)}");
                return null;
            }

            return value;
        }

        private void Problem(YamlNode node, string code, string path, string message) =>
            problems.Add(new ConfigProblem(file, (int)node.Start.Line, (int)node.Start.Column, code, path, message));

        /// <summary>Levenshtein distance, for "did you mean" on a misspelt field (two edits catch a dropped or swapped letter).</summary>
        private static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }

        private static string Show(TimeSpan value) =>
            value.TotalSeconds >= 1 ? $"{value.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s" : $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

        private static YamlNode? Child(YamlMappingNode node, string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

        private static string? ScalarOf(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };
    }

    private delegate bool TryParse<T>(string text, out T value);

    private enum PathKind
    {
        File,
        Directory,
        FileOrDirectory,

        /// <summary>Created by the server when missing (the data directory, an alert file): only resolved.</summary>
        Any,
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();
}
