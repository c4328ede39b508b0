using System.Globalization;

namespace Auditrail.LogGenerator.Cli;

/// <summary>What the command line asked for, once parsed and validated.</summary>
internal sealed record CliSettings
{
    public GeneratorOptions Options { get; init; } = new();

    public long Events { get; init; }

    /// <summary>"-" for standard output.</summary>
    public string Output { get; init; } = "-";

    public bool Gzip { get; init; }

    public string? Labels { get; init; }

    public bool Quiet { get; init; }

    public bool Help { get; init; }

    public const string Usage = """
        Auditrail.LogGenerator: writes realistic, reproducible Kubernetes audit logs (audit.k8s.io/v1 Events,
        one JSON object per line, as the kube-apiserver log backend writes them) for a simulated cluster:
        control plane, kubelets, controllers, applications, people with kubectl, health probes, and injected
        attacks. The same options always produce the same bytes.

        Usage:
          Auditrail.LogGenerator --events N [options]

        Options:
          --events N            Number of events (lines) to write. Required. Accepts k and m suffixes (250k, 1m).
          --seed S              Seed of the simulation (integer). Default 1.
          --start TIME          Time of the first request, ISO 8601. Default 2026-01-01T00:00:00Z.
          --out FILE|-          Where to write; '-' is standard output. Default '-'.
          --gzip                Compress the output with gzip (implied when FILE ends in .gz).
          --attack-share X      Fraction of events that belong to attacks, 0 to 0.5. Default 0.01.
          --labels FILE         Also write attack ground truth: one JSON line per attack request
                                ({"auditID":...,"attack":...,"scenario":...}).
          --namespaces N        Application namespaces. Default 12.
          --workloads N         Workloads per application namespace. Default 4.
          --nodes N             Worker nodes. Default 24.
          --control-plane N     Control-plane nodes. Default 3.
          --humans N            People with kubectl access. Default 8.
          --panic-share X       Fraction of requests that end in a Panic stage. Default 0.00002.
          --no-request-received Omit the RequestReceived stage everywhere (omitStages in every policy rule).
          --quiet               No progress or summary on standard error.
          -h, --help            Show this help.

        Examples:
          Auditrail.LogGenerator --events 1m --out audit.jsonl
          Auditrail.LogGenerator --events 1m --seed 7 --gzip --out audit.jsonl.gz --labels attacks.jsonl
          Auditrail.LogGenerator --events 10000 --attack-share 0.05 | jq -c 'select(.responseStatus.code == 401)'
          Auditrail.LogGenerator --events 5m --nodes 200 --namespaces 60 --start 2026-03-02T08:00:00Z --out big.jsonl

        Progress and a summary of the traffic mix go to standard error. Exit codes: 0 success, 1 I/O failure,
        2 invalid arguments.
        """;

    /// <summary>Parses arguments; returns null and a message when they are not usable.</summary>
    public static CliSettings? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var settings = new CliSettings();
        var options = new GeneratorOptions();
        var events = -1L;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                {
                    throw new FormatException($"{name} needs a value");
                }

                return args[++i];
            }

            try
            {
                switch (name)
                {
                    case "-h" or "--help":
                        return settings with { Help = true };
                    case "--events":
                        events = ParseCount(Value(), name);
                        break;
                    case "--seed":
                        options = options with { Seed = ParseInteger(Value(), name) };
                        break;
                    case "--start":
                        options = options with { Start = ParseTime(Value(), name) };
                        break;
                    case "--out":
                        settings = settings with { Output = Value() };
                        break;
                    case "--gzip":
                        settings = settings with { Gzip = true };
                        break;
                    case "--labels":
                        settings = settings with { Labels = Value() };
                        break;
                    case "--attack-share":
                        options = options with { AttackShare = ParseFraction(Value(), name) };
                        break;
                    case "--panic-share":
                        options = options with { PanicShare = ParseFraction(Value(), name) };
                        break;
                    case "--namespaces":
                        options = options with { Namespaces = (int)ParseCount(Value(), name) };
                        break;
                    case "--workloads":
                        options = options with { WorkloadsPerNamespace = (int)ParseCount(Value(), name) };
                        break;
                    case "--nodes":
                        options = options with { WorkerNodes = (int)ParseCount(Value(), name) };
                        break;
                    case "--control-plane":
                        options = options with { ControlPlaneNodes = (int)ParseCount(Value(), name) };
                        break;
                    case "--humans":
                        options = options with { Humans = (int)ParseCount(Value(), name) };
                        break;
                    case "--no-request-received":
                        options = options with { EmitRequestReceived = false };
                        break;
                    case "--quiet":
                        settings = settings with { Quiet = true };
                        break;
                    default:
                        error = $"unknown option '{name}'";
                        return null;
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        if (events < 0)
        {
            error = "--events is required";
            return null;
        }

        if (options.Validate() is { Count: > 0 } problems)
        {
            error = string.Join("; ", problems);
            return null;
        }

        if (settings.Labels is not null && settings.Labels == settings.Output)
        {
            error = "--labels and --out must be different files";
            return null;
        }

        var gzip = settings.Gzip || settings.Output.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        return settings with { Options = options, Events = events, Gzip = gzip };
    }

    private static long ParseCount(string text, string name)
    {
        var multiplier = 1L;
        var digits = text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        if (digits.EndsWith('k') || digits.EndsWith('K'))
        {
            multiplier = 1_000;
            digits = digits[..^1];
        }
        else if (digits.EndsWith('m') || digits.EndsWith('M'))
        {
            multiplier = 1_000_000;
            digits = digits[..^1];
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / multiplier)
        {
            throw new FormatException($"{name} expects a non-negative whole number, got '{text}'");
        }

        return value * multiplier;
    }

    private static long ParseInteger(string text, string name) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{name} expects an integer, got '{text}'");

    private static double ParseFraction(string text, string name) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{name} expects a number such as 0.01, got '{text}'");

    private static DateTimeOffset ParseTime(string text, string name) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new FormatException($"{name} expects an ISO 8601 time such as 2026-01-01T00:00:00Z, got '{text}'");
}
