using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Auditrail.Server.Security;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Server.Configuration;

/// <summary>The live server's sections: ingest, API access, file sources, detection, store and metrics.</summary>
public static partial class ServeConfigurationLoader
{
    private static readonly string[] IngestKeys = ["tokens", "clientCA", "cluster", "maxBodyBytes", "maxEventBytes", "queue"];
    private static readonly string[] QueueKeys = ["capacity", "segmentSize"];
    private static readonly string[] ApiKeys = ["tokens"];
    private static readonly string[] TokenKeys = ["file", "env", "scopes"];
    private static readonly string[] SourcesKeys = ["files"];
    private static readonly string[] FileSourceKeys = ["paths", "cluster", "startAtEnd", "pollInterval"];
    private static readonly string[] DetectionKeys = ["rules", "cluster", "maxKeys", "lateTolerance", "workers", "flushInterval"];
    private static readonly string[] StoreKeys = ["path", "retention"];
    private static readonly string[] RetentionKeys = ["maxAge", "maxSize", "purgeEvery"];
    private static readonly string[] MetricsKeys = ["requireToken"];

    private sealed partial class Reader
    {
        private IngestSettings ReadIngest(YamlNode node)
        {
            var defaults = new IngestSettings();
            if (Mapping(node, "ingest", IngestKeys) is not { } ingest)
            {
                return defaults;
            }

            long? capacity = null;
            long? segment = null;
            if (Child(ingest, "queue") is { } queueNode && Mapping(queueNode, "ingest.queue", QueueKeys) is { } queue)
            {
                capacity = Bytes(Child(queue, "capacity"), "ingest.queue.capacity", 16L << 20, 1L << 40);
                segment = Bytes(Child(queue, "segmentSize"), "ingest.queue.segmentSize", 1L << 20, 1L << 30);
                if (capacity is { } c && segment is { } s && s > c)
                {
                    Problem(Child(queue, "segmentSize")!, ConfigCodes.InvalidValue, "ingest.queue.segmentSize", "is larger than ingest.queue.capacity");
                }
            }

            var maxBody = Bytes(Child(ingest, "maxBodyBytes"), "ingest.maxBodyBytes", 64L << 10, 1L << 30);
            var maxEvent = Bytes(Child(ingest, "maxEventBytes"), "ingest.maxEventBytes", 16L << 10, 64L << 20);
            return new IngestSettings
            {
                Tokens = ReadTokens(Child(ingest, "tokens"), "ingest.tokens", ("ingest", AccessScope.Ingest)),
                ClientCertificateAuthorityFile = ReadCertificateAuthority(Child(ingest, "clientCA")),
                Cluster = ClusterName(Child(ingest, "cluster"), "ingest.cluster"),
                MaxBodyBytes = maxBody ?? defaults.MaxBodyBytes,
                MaxEventBytes = (int?)maxEvent ?? defaults.MaxEventBytes,
                QueueCapacityBytes = capacity ?? defaults.QueueCapacityBytes,
                SegmentBytes = segment ?? defaults.SegmentBytes,
            };
        }

        private ApiSettings ReadApi(YamlNode node) =>
            Mapping(node, "api", ApiKeys) is { } api
                ? new ApiSettings { Tokens = ReadTokens(Child(api, "tokens"), "api.tokens", ("read", AccessScope.Read), ("admin", AccessScope.Admin)) }
                : new ApiSettings();

        /// <summary>
        /// Token sources: each names a file or an environment variable, checked to hold a token now, so a
        /// missing Secret stops the start instead of locking every sender out later. The first of
        /// <paramref name="scopes"/> is the default when an entry names none.
        /// </summary>
        private List<TokenSource> ReadTokens(YamlNode? node, string path, params (string Name, AccessScope Scope)[] scopes)
        {
            var tokens = new List<TokenSource>();
            if (node is null || IsNull(node))
            {
                return tokens;
            }

            if (node is not YamlSequenceNode list)
            {
                Problem(node, ConfigCodes.WrongType, path, "expected a list of {file: PATH} or {env: NAME} (tokens are never written in the configuration itself)");
                return tokens;
            }

            for (var i = 0; i < list.Children.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                if (Mapping(list.Children[i], itemPath, TokenKeys) is not { } entry)
                {
                    continue;
                }

                var fileNode = Child(entry, "file");
                var envNode = Child(entry, "env");
                if ((fileNode is null) == (envNode is null))
                {
                    Problem(entry, ConfigCodes.InvalidValue, itemPath, "give exactly one of file (a mounted Secret) or env (an environment variable)");
                    continue;
                }

                var granted = AccessScope.None;
                foreach (var (name, scopeNode, scopePath) in Listed(Child(entry, "scopes"), $"{itemPath}.scopes"))
                {
                    var match = scopes.FirstOrDefault(s => s.Name == name);
                    if (match.Name is null)
                    {
                        Problem(scopeNode, ConfigCodes.InvalidValue, scopePath, $"expected {string.Join(" or ", scopes.Select(s => s.Name))}, found '{name}'");
                    }

                    granted |= match.Scope;
                }

                var source = fileNode is not null
                    ? PathValue(fileNode, $"{itemPath}.file", PathKind.File) is { } tokenFile ? new TokenSource(tokenFile, null, granted) : null
                    : String(envNode!, $"{itemPath}.env") is { Length: > 0 } variable ? new TokenSource(null, variable, granted) : null;
                if (source is null)
                {
                    continue;
                }

                if (granted == AccessScope.None)
                {
                    source = source with { Scopes = scopes[0].Scope };
                }

                if ((source.File is null || File.Exists(source.File)) && source.Read(environment) is null)
                {
                    Problem(fileNode ?? envNode!, ConfigCodes.MissingFile, itemPath, $"{source.Describe()} holds no token");
                }

                tokens.Add(source);
            }

            return tokens;
        }

        /// <summary>The client CA bundle, which must hold at least one PEM certificate.</summary>
        private string? ReadCertificateAuthority(YamlNode? node)
        {
            var path = PathValue(node, "ingest.clientCA", PathKind.File);
            if (path is null || !File.Exists(path))
            {
                return path;
            }

            var bundle = new X509Certificate2Collection();
            try
            {
                bundle.ImportFromPemFile(path);
            }
            catch (CryptographicException)
            {
                bundle.Clear();
            }

            if (bundle.Count == 0)
            {
                Problem(node!, ConfigCodes.InvalidValue, "ingest.clientCA", $"{path} holds no PEM certificate");
            }

            foreach (var certificate in bundle)
            {
                certificate.Dispose();
            }

            return path;
        }

        private List<FileSourceSettings> ReadSources(YamlNode node)
        {
            var sources = new List<FileSourceSettings>();
            if (Mapping(node, "sources", SourcesKeys) is not { } mapping || Child(mapping, "files") is not { } files || IsNull(files))
            {
                return sources;
            }

            if (files is not YamlSequenceNode list)
            {
                Problem(files, ConfigCodes.WrongType, "sources.files", "expected a list of {paths: [...]}");
                return sources;
            }

            for (var i = 0; i < list.Children.Count; i++)
            {
                var path = $"sources.files[{i}]";
                if (Mapping(list.Children[i], path, FileSourceKeys) is not { } entry)
                {
                    continue;
                }

                // Globs and files that rotation has not created yet are fine: only resolved, not required to exist.
                var paths = new List<string>();
                foreach (var (value, item, itemPath) in Listed(Child(entry, "paths"), $"{path}.paths"))
                {
                    var full = Path.GetFullPath(value, baseDirectory);
                    if (Path.GetDirectoryName(full) is { } folder && folder.AsSpan().IndexOfAny('*', '?') >= 0)
                    {
                        Problem(item, ConfigCodes.InvalidValue, itemPath, "wildcards (* and ?) are matched in file names only, not in folders");
                        continue;
                    }

                    paths.Add(full);
                }

                if (paths.Count == 0 && Child(entry, "paths") is not YamlSequenceNode { Children.Count: > 0 })
                {
                    Problem(entry, ConfigCodes.InvalidValue, $"{path}.paths", "at least one file or glob is needed");
                    continue;
                }

                sources.Add(new FileSourceSettings
                {
                    Paths = paths,
                    Cluster = ClusterName(Child(entry, "cluster"), $"{path}.cluster"),
                    StartAtEnd = Boolean(Child(entry, "startAtEnd"), $"{path}.startAtEnd") ?? false,
                    PollInterval = Duration(Child(entry, "pollInterval"), $"{path}.pollInterval", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1))
                        ?? FileSourceSettings.DefaultPollInterval,
                });
            }

            return sources;
        }

        private DetectionSettings ReadDetection(YamlNode node)
        {
            var defaults = new DetectionSettings();
            if (Mapping(node, "detection", DetectionKeys) is not { } detection)
            {
                return defaults;
            }

            var rules = new List<string>();
            foreach (var (value, item, path) in Listed(Child(detection, "rules"), "detection.rules"))
            {
                // "default" is the bundled pack unless a file or folder of that name sits beside the configuration.
                var isBundled = value == DetectionSettings.DefaultPack && !Path.Exists(Path.GetFullPath(value, baseDirectory));
                if (isBundled ? !rules.Contains(DetectionSettings.DefaultPack) : PathValue(item, path, PathKind.FileOrDirectory) is not null)
                {
                    rules.Add(isBundled ? DetectionSettings.DefaultPack : Path.GetFullPath(value, baseDirectory));
                }
            }

            return new DetectionSettings
            {
                RulePaths = Child(detection, "rules") is null ? defaults.RulePaths : rules,
                Cluster = ClusterName(Child(detection, "cluster"), "detection.cluster"),
                MaxKeys = Integer(Child(detection, "maxKeys"), "detection.maxKeys", 1, 100_000_000) ?? defaults.MaxKeys,
                LateTolerance = Duration(Child(detection, "lateTolerance"), "detection.lateTolerance", TimeSpan.Zero, TimeSpan.FromDays(1)) ?? defaults.LateTolerance,
                Workers = Integer(Child(detection, "workers"), "detection.workers", 1, 256),
                FlushInterval = Duration(Child(detection, "flushInterval"), "detection.flushInterval", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1)),
            };
        }

        private StoreSettings ReadStore(YamlNode node)
        {
            var defaults = new StoreSettings();
            if (Mapping(node, "store", StoreKeys) is not { } store)
            {
                return defaults;
            }

            var settings = new StoreSettings { Path = PathValue(Child(store, "path"), "store.path", PathKind.Any) };
            if (Child(store, "retention") is { } retentionNode && Mapping(retentionNode, "store.retention", RetentionKeys) is { } retention)
            {
                settings = settings with
                {
                    MaxAge = Duration(Child(retention, "maxAge"), "store.retention.maxAge", TimeSpan.FromHours(1), TimeSpan.FromDays(36_500)),
                    MaxBytes = Bytes(Child(retention, "maxSize"), "store.retention.maxSize", 1L << 20, long.MaxValue),
                    PurgeInterval = Duration(Child(retention, "purgeEvery"), "store.retention.purgeEvery", TimeSpan.FromMinutes(1), TimeSpan.FromDays(1))
                        ?? defaults.PurgeInterval,
                };
            }

            return settings;
        }

        private MetricsSettings ReadMetrics(YamlNode node) =>
            Mapping(node, "metrics", MetricsKeys) is { } metrics
                ? new MetricsSettings { RequireToken = Boolean(Child(metrics, "requireToken"), "metrics.requireToken") ?? false }
                : new MetricsSettings();

        /// <summary>A cluster name: stamped into an annotation and used as a label, so non-empty and without spaces or control characters.</summary>
        private string? ClusterName(YamlNode? node, string path)
        {
            if (node is null || String(node, path) is not { } name)
            {
                return null;
            }

            if (name.Length == 0 || name.Length > 253 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                Problem(node, ConfigCodes.InvalidValue, path, $"'{name}' is not a cluster name (1-253 characters, no spaces)");
                return null;
            }

            return name;
        }

        /// <summary>Non-empty strings of a list with their nodes and paths (empty entries reported); a scalar counts as a list of one.</summary>
        private List<(string Value, YamlNode Node, string Path)> Listed(YamlNode? node, string path)
        {
            var items = new List<(string, YamlNode, string)>();
            if (node is null || IsNull(node))
            {
                return items;
            }

            var children = node is YamlSequenceNode sequence ? sequence.Children : (IList<YamlNode>)[node];
            for (var i = 0; i < children.Count; i++)
            {
                var itemPath = node is YamlSequenceNode ? $"{path}[{i}]" : path;
                if (String(children[i], itemPath) is not { } value)
                {
                    continue;
                }

                if (value.Length == 0)
                {
                    Problem(children[i], ConfigCodes.InvalidValue, itemPath, "must not be empty");
                    continue;
                }

                items.Add((value, children[i], itemPath));
            }

            return items;
        }
    }
}
