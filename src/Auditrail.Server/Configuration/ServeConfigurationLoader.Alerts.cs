using System.Globalization;
using Auditrail.Detection.Responses;
using Auditrail.Detection.Rules;
using YamlDotNet.RepresentationModel;

namespace Auditrail.Server.Configuration;

/// <summary>Where alerts go (<c>sinks:</c>) and what they trigger (<c>responses:</c>).</summary>
public static partial class ServeConfigurationLoader
{
    private static readonly string[] SinkKeys =
    [
        "name", "type", "path", "url", "urlFile", "headers", "tokenFile",
        "minSeverity", "rules", "tags", "dedupWindow", "rate", "burst", "retries", "queueCapacity",
    ];

    private static readonly string[] ResponsesKeys = ["file", "kubeconfig", "context"];

    /// <summary>The fields only some sink types take; any other type given one is told so rather than silently ignoring it.</summary>
    private static readonly Dictionary<string, SinkType[]> TypeSpecificSinkKeys = new(StringComparer.Ordinal)
    {
        ["path"] = [SinkType.File],
        ["url"] = [SinkType.Webhook, SinkType.Slack, SinkType.Alertmanager],
        ["urlFile"] = [SinkType.Webhook, SinkType.Slack, SinkType.Alertmanager],
        ["headers"] = [SinkType.Webhook, SinkType.Alertmanager],
        ["tokenFile"] = [SinkType.Webhook, SinkType.Alertmanager],
    };

    private sealed partial class Reader
    {
        private List<SinkSettings> ReadSinks(YamlNode node)
        {
            var sinks = new List<SinkSettings>();
            if (IsNull(node))
            {
                return sinks;
            }

            if (node is not YamlSequenceNode list)
            {
                Problem(node, ConfigCodes.WrongType, "sinks", "expected a list of {name, type, ...}");
                return sinks;
            }

            for (var i = 0; i < list.Children.Count; i++)
            {
                if (ReadSink(list.Children[i], $"sinks[{i}]") is not { } sink)
                {
                    continue;
                }

                if (sinks.Any(s => s.Name == sink.Name))
                {
                    var place = Child((YamlMappingNode)list.Children[i], "name") ?? list.Children[i];
                    Problem(place, ConfigCodes.InvalidValue, $"sinks[{i}].name", $"'{sink.Name}' names two sinks; names label their counters and must be unique");
                    continue;
                }

                sinks.Add(sink);
            }

            return sinks;
        }

        private SinkSettings? ReadSink(YamlNode node, string path)
        {
            if (Mapping(node, path, SinkKeys) is not { } sink)
            {
                return null;
            }

            var typeNode = Child(sink, "type");
            var type = OneOf(typeNode, $"{path}.type", ["stdout", "file", "webhook", "slack", "alertmanager"]) switch
            {
                "stdout" => SinkType.Stdout,
                "file" => SinkType.File,
                "webhook" => SinkType.Webhook,
                "slack" => SinkType.Slack,
                "alertmanager" => SinkType.Alertmanager,
                _ => (SinkType?)null,
            };
            if (typeNode is null)
            {
                Problem(sink, ConfigCodes.InvalidValue, $"{path}.type", "is required: stdout, file, webhook, slack or alertmanager");
            }

            if (type is not { } known)
            {
                return null;
            }

            foreach (var (key, types) in TypeSpecificSinkKeys)
            {
                if (Child(sink, key) is { } extra && !types.Contains(known))
                {
                    Problem(extra, ConfigCodes.InvalidValue, $"{path}.{key}", $"does not apply to a {TypeName(known)} sink (it applies to {string.Join(", ", types.Select(TypeName))})");
                }
            }

            var name = Child(sink, "name") is { } nameNode ? String(nameNode, $"{path}.name") : TypeName(known);
            if (name is not { Length: > 0 })
            {
                Problem(Child(sink, "name") ?? sink, ConfigCodes.InvalidValue, $"{path}.name", "must not be empty");
                return null;
            }

            var settings = new SinkSettings
            {
                Name = name,
                Type = known,
                Path = PathValue(Child(sink, "path"), $"{path}.path", PathKind.Any),
                UrlFile = PathValue(Child(sink, "urlFile"), $"{path}.urlFile", PathKind.File),
                Url = HttpUrl(Child(sink, "url"), $"{path}.url"),
                Headers = Headers(Child(sink, "headers"), $"{path}.headers"),
                TokenFile = PathValue(Child(sink, "tokenFile"), $"{path}.tokenFile", PathKind.File),
                MinSeverity = MinSeverity(Child(sink, "minSeverity"), $"{path}.minSeverity"),
                Rules = [.. Listed(Child(sink, "rules"), $"{path}.rules").Select(r => r.Value)],
                Tags = [.. Listed(Child(sink, "tags"), $"{path}.tags").Select(t => t.Value)],
                DedupWindow = Duration(Child(sink, "dedupWindow"), $"{path}.dedupWindow", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
                Rate = Rate(Child(sink, "rate"), $"{path}.rate"),
                Burst = Integer(Child(sink, "burst"), $"{path}.burst", 1, 100_000),
                Retries = Integer(Child(sink, "retries"), $"{path}.retries", 0, 20),
                QueueCapacity = Integer(Child(sink, "queueCapacity"), $"{path}.queueCapacity", 1, 10_000_000),
            };

            if (known == SinkType.File && Child(sink, "path") is null)
            {
                Problem(sink, ConfigCodes.InvalidValue, $"{path}.path", "a file sink needs the path of its JSON-lines file");
            }

            if (TypeSpecificSinkKeys["url"].Contains(known) && (Child(sink, "url") is null) == (Child(sink, "urlFile") is null))
            {
                Problem(sink, ConfigCodes.InvalidValue, $"{path}.url", $"a {TypeName(known)} sink needs exactly one of url or urlFile (a file holding the URL, for URLs that are secrets)");
            }

            return settings;
        }

        private ResponseSettings? ReadResponses(YamlNode node)
        {
            if (Mapping(node, "responses", ResponsesKeys) is not { } responses)
            {
                return null;
            }

            var kubeconfig = PathValue(Child(responses, "kubeconfig"), "responses.kubeconfig", PathKind.File);
            var context = Child(responses, "context") is { } contextNode ? String(contextNode, "responses.context") : null;
            if (Child(responses, "file") is not { } fileNode)
            {
                Problem(responses, ConfigCodes.InvalidValue, "responses.file", "is required: the responses YAML (rules and guard rails, see docs/responses.md)");
                return null;
            }

            if (PathValue(fileNode, "responses.file", PathKind.File) is not { } responsesFile || !File.Exists(responsesFile))
            {
                return null;
            }

            // Loaded now with the responses loader's own diagnostics, so a bad action stops the start with its line.
            var config = ResponseConfigLoader.Load(responsesFile);
            foreach (var diagnostic in config.Diagnostics.Where(d => !d.IsWarning))
            {
                problems.Add(new ConfigProblem(diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.Code, "responses.file", diagnostic.Message));
            }

            return new ResponseSettings { File = responsesFile, Config = config, Kubeconfig = kubeconfig, Context = context };
        }

        private Uri? HttpUrl(YamlNode? node, string path)
        {
            if (node is null || String(node, path) is not { } text)
            {
                return null;
            }

            if (ConfigValues.TryParseHttpUrl(text, out var url))
            {
                return url;
            }

            // The text is not echoed: a malformed URL may still carry a credential.
            Problem(node, ConfigCodes.InvalidValue, path, "expected an absolute http:// or https:// URL");
            return null;
        }

        private Dictionary<string, string> Headers(YamlNode? node, string path)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (node is null || IsNull(node))
            {
                return headers;
            }

            if (node is not YamlMappingNode mapping)
            {
                Problem(node, ConfigCodes.WrongType, path, "expected a mapping of header names to values");
                return headers;
            }

            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    Problem(keyNode, ConfigCodes.InvalidValue, $"{path}.{name}", "credentials do not belong in the configuration: put the token in a file and name it in tokenFile");
                }
                else if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
                {
                    Problem(keyNode, ConfigCodes.InvalidValue, $"{path}.{name}", "is not an HTTP header name");
                }
                else if (String(valueNode, $"{path}.{name}") is { } value)
                {
                    headers[name] = value;
                }
            }

            return headers;
        }

        private Severity MinSeverity(YamlNode? node, string path)
        {
            if (node is null || String(node, path) is not { } text)
            {
                return Severity.Info;
            }

            if (!SeverityNames.TryParse(text, out var severity))
            {
                Problem(node, ConfigCodes.InvalidValue, path, $"expected info, low, medium, high or critical, found '{text}'");
            }

            return severity;
        }

        private double? Rate(YamlNode? node, string path) =>
            Ranged<double>(node, path,
                static (string text, out double value) => double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value),
                "a number of alerts per second", 0.001, 1_000_000, value => value.ToString(CultureInfo.InvariantCulture));

        private static string TypeName(SinkType type) => type.ToString().ToLowerInvariant();
    }
}
