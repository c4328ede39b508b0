using System.CommandLine;
using System.Text.Json;
using Auditrail.Cel;
using Auditrail.Cel.Runtime;
using Auditrail.Cli.Hosting;
using Auditrail.Cli.Output;
using Auditrail.Core.Model;
using Auditrail.Core.Reading;
using Auditrail.Detection.Conditions;

namespace Auditrail.Cli.Commands.Cel;

/// <summary><c>auditrail cel eval</c>: try an expression, alone or against audit events, before putting it in a rule.</summary>
internal static class CelEvalCommand
{
    public const string Examples = """
          # Plain CEL
          auditrail cel eval '[1, 2, 3].map(x, x * 2)'

          # Against every event of a log: the rule-condition environment (every field of `auditrail fields`)
          auditrail cel eval "verb == 'create' && objectRef.resource == 'pods'" --event audit.log

          # With variables given as JSON
          auditrail cel eval 'object.spec.replicas > limit' --var 'object={"spec":{"replicas":5}}' --var limit=3
        """;

    public static Command Create(CliContext context)
    {
        var expression = new Argument<string>("expression") { Description = "The CEL expression." };
        var eventFile = new Option<string?>("--event") { Description = "Evaluate against each audit event in this file (any format `auditrail read` takes; - for stdin)." };
        var variables = new Option<string[]>("--var")
        {
            Description = "A variable as NAME=JSON (repeatable); JSON that does not parse is taken as a string.",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = OutputOption.Create("default table: the value as a CEL literal");
        var command = new Command("eval", "Evaluate a CEL expression, alone or against audit events.") { expression, eventFile, variables, output };
        command.SetAction(parseResult => Run(
            context,
            parseResult.GetValue(expression)!,
            parseResult.GetValue(eventFile),
            parseResult.GetValue(variables) ?? [],
            parseResult.GetValue(output) ?? OutputFormat.Table));
        return command;
    }

    private static int Run(CliContext context, string expression, string? eventFile, string[] variables, OutputFormat format)
    {
        var environment = eventFile is null ? new CelEnvironment() : AuditCelEnvironment.Create();
        var values = new Dictionary<string, CelValue>(StringComparer.Ordinal);
        foreach (var assignment in variables)
        {
            var equals = assignment.IndexOf('=');
            if (equals <= 0)
            {
                context.Error.WriteLine($"error: --var '{assignment}' is not NAME=JSON");
                return ExitCodes.UsageOrUnusableInput;
            }

            var name = assignment[..equals];
            values[name] = ParseJsonOrString(assignment[(equals + 1)..]);
            environment.Declare(name, CelType.Dyn);
        }

        var compiled = environment.Compile(expression);
        if (!compiled.Success)
        {
            foreach (var diagnostic in compiled.Diagnostics)
            {
                context.Error.WriteLine($"error: {diagnostic}");
            }

            return ExitCodes.UsageOrUnusableInput;
        }

        var program = compiled.Program!;
        if (eventFile is null)
        {
            var result = program.Evaluate(new MapActivation(environment, values), out var cost);
            Print(context, format, result, cost, null);
            return result.IsError ? ExitCodes.BadRecords : ExitCodes.Success;
        }

        var handler = new EvaluatingHandler(context, format, program, environment, values);
        var counters = new AuditLogReader().ReadPaths([eventFile], handler, default, context.OpenStdin);
        return counters.Errors > 0 || counters.Events == 0 ? ExitCodes.UsageOrUnusableInput : handler.AnyError ? ExitCodes.BadRecords : ExitCodes.Success;
    }

    private static CelValue ParseJsonOrString(string text)
    {
        try
        {
            return JsonValues.Parse(text);
        }
        catch (JsonException)
        {
            return CelValue.String(text);
        }
    }

    private static void Print(CliContext context, OutputFormat format, CelValue result, long cost, string? auditId)
    {
        if (format == OutputFormat.Table)
        {
            context.Out.WriteLine(auditId is null ? result.ToString() : $"{auditId}\t{result}");
            return;
        }

        StructuredOutput.Write(context, format, writer =>
        {
            writer.WriteStartObject();
            if (auditId is not null)
            {
                writer.WriteString("auditID", auditId);
            }

            writer.WritePropertyName("result");
            CelJson.Write(writer, result);
            writer.WriteString("type", result.RuntimeType.Display);
            writer.WriteNumber("cost", cost);
            writer.WriteEndObject();
        });
    }

    /// <summary>Evaluates the program on each event as it is read; extra --var values are visible too.</summary>
    private sealed class EvaluatingHandler(CliContext context, OutputFormat format, CelProgram program, CelEnvironment environment, Dictionary<string, CelValue> extra) : IAuditEventHandler
    {
        private readonly CombinedActivation _activation = new(environment, extra);

        public bool AnyError { get; private set; }

        public void OnEvent(AuditEvent auditEvent, in RecordLocation location)
        {
            var result = program.Evaluate(_activation.Reset(auditEvent), out var cost);
            AnyError |= result.IsError;
            Print(context, format, result, cost, auditEvent.AuditId ?? location.ToString());
        }

        public void OnDiagnostic(ReadDiagnostic diagnostic) => context.Error.WriteLine(diagnostic.ToString());
    }

    /// <summary>Catalog fields from the event, and the --var values by name.</summary>
    private sealed class CombinedActivation(CelEnvironment environment, Dictionary<string, CelValue> extra) : IActivation
    {
        private readonly AuditEventActivation _event = new(Restrict(environment, extra));
        private readonly int _catalogCount = Core.Fields.FieldCatalog.All.Count;

        public CombinedActivation Reset(AuditEvent auditEvent)
        {
            _event.Reset(auditEvent);
            return this;
        }

        public CelValue Resolve(int variableIndex) =>
            variableIndex < _catalogCount ? _event.Resolve(variableIndex) : extra[environment.Variables[variableIndex].Name];

        public bool TryGetUtf8(int variableIndex, out ReadOnlySpan<byte> utf8)
        {
            if (variableIndex < _catalogCount)
            {
                return _event.TryGetUtf8(variableIndex, out utf8);
            }

            utf8 = default;
            return false;
        }

        /// <summary>An environment with only the catalog's declarations, for the event activation.</summary>
        private static CelEnvironment Restrict(CelEnvironment environment, Dictionary<string, CelValue> extra) =>
            extra.Count == 0 ? environment : AuditCelEnvironment.Create();
    }
}
