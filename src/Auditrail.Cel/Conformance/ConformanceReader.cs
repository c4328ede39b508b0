namespace Auditrail.Cel.Conformance;

/// <summary>
/// Builds the conformance model from a parsed text-format tree, following cel-spec's
/// <c>simple.proto</c>, <c>value.proto</c>, <c>checked.proto</c> and <c>eval.proto</c>. Every schema
/// error carries the source name and the position of the offending field.
/// </summary>
internal sealed partial class ConformanceReader(string sourceName)
{
    private static readonly string[] ResultMatchers = ["value", "typed_result", "eval_error", "any_eval_errors", "unknown", "any_unknowns"];
    private static readonly ExpectedResult ImplicitResult = new ExpectedResult.Value(new ExpectedValue.BoolValue(true));

    private readonly string _sourceName = sourceName;

    public ConformanceFile ReadFile(TextMessage root)
    {
        var check = FieldCheck.For(this, "SimpleTestFile", "section");
        string name = "", description = "";
        var sectionFields = new List<TextField>();
        foreach (var field in root.Fields)
        {
            switch (Key(field))
            {
                case "name": name = String(field); break;
                case "description": description = String(field); break;
                case "section": sectionFields.Add(field); break;
                default: throw UnknownField(field, "SimpleTestFile");
            }

            check.Add(field);
        }

        // Sections are read last: test ids need the file name, which may come after them.
        return new ConformanceFile
        {
            Name = name,
            Description = description,
            Sections = [.. sectionFields.Select(f => ReadSection(f, name))],
            SourceName = _sourceName,
        };
    }

    private ConformanceSection ReadSection(TextField holder, string fileName)
    {
        var check = FieldCheck.For(this, "SimpleTestSection", "test");
        string name = "", description = "";
        var testFields = new List<TextField>();
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "name": name = String(field); break;
                case "description": description = String(field); break;
                case "test": testFields.Add(field); break;
                default: throw UnknownField(field, "SimpleTestSection");
            }

            check.Add(field);
        }

        return new ConformanceSection
        {
            Name = name,
            Description = description,
            Tests = [.. testFields.Select(f => ReadTest(f, $"{fileName}/{name}"))],
        };
    }

    private ConformanceTest ReadTest(TextField holder, string sectionId)
    {
        var check = new FieldCheck(this, "SimpleTest", ["type_env", "bindings"], "result_matcher", ResultMatchers);
        string name = "", description = "", expr = "", container = "", locale = "";
        bool disableMacros = false, disableCheck = false, checkOnly = false;
        var typeEnv = new List<ConformanceDecl>();
        var bindings = new Dictionary<string, ExpectedValue>(StringComparer.Ordinal);
        ExpectedResult? result = null;
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "name": name = String(field); break;
                case "description": description = String(field); break;
                case "expr": expr = String(field); break;
                case "disable_macros": disableMacros = Bool(field); break;
                case "disable_check": disableCheck = Bool(field); break;
                case "check_only": checkOnly = Bool(field); break;
                case "container": container = String(field); break;
                case "locale": locale = String(field); break;
                case "type_env": typeEnv.Add(ReadDecl(field)); break;
                case "bindings":
                    var (key, value) = ReadBinding(field);
                    bindings[key] = value;
                    break;
                case "value": result = new ExpectedResult.Value(ReadValue(field)); break;
                case "typed_result": result = ReadTypedResult(field); break;
                case "eval_error": result = new ExpectedResult.EvalError(ReadErrorSet(field)); break;
                case "any_eval_errors": result = new ExpectedResult.AnyEvalErrors(ReadRepeated(field, "ErrorSetMatcher", "errors", ReadErrorSet)); break;
                case "unknown": result = new ExpectedResult.Unknown(ReadUnknownSet(field)); break;
                case "any_unknowns": result = new ExpectedResult.AnyUnknowns(ReadRepeated(field, "UnknownSetMatcher", "unknowns", ReadUnknownSet)); break;
                default: throw UnknownField(field, "SimpleTest");
            }

            check.Add(field);
        }

        return new ConformanceTest
        {
            Id = $"{sectionId}/{name}",
            Name = name,
            Description = description,
            Expr = expr,
            DisableMacros = disableMacros,
            DisableCheck = disableCheck,
            CheckOnly = checkOnly,
            Container = container,
            Locale = locale,
            TypeEnv = typeEnv,
            Bindings = bindings,
            Result = result ?? ImplicitResult,
            HasExplicitResult = result is not null,
            Position = holder.Position,
        };
    }

    /// <summary>A <c>map&lt;string, ExprValue&gt;</c> entry. Only values can be bound: the model has no error or unknown inputs.</summary>
    private (string Name, ExpectedValue Value) ReadBinding(TextField holder)
    {
        var check = FieldCheck.For(this, "bindings entry");
        var name = "";
        ExpectedValue? value = null;
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "key": name = String(field); break;
                case "value": value = ReadExprValue(field); break;
                default: throw UnknownField(field, "bindings entry");
            }

            check.Add(field);
        }

        return (name, value ?? throw Error(holder.Value.Position, $"binding '{name}' has no value"));
    }

    private ExpectedValue ReadExprValue(TextField holder)
    {
        var message = Message(holder);
        var check = FieldCheck.ForOneof(this, "cel.expr.ExprValue", "kind");
        ExpectedValue? value = null;
        foreach (var field in message.Fields)
        {
            value = Key(field) switch
            {
                "value" => ReadValue(field),
                "error" or "unknown" => throw Error(field.Position, $"binding to an {field.Name} is not supported; bind a value"),
                _ => throw UnknownField(field, "cel.expr.ExprValue"),
            };
            check.Add(field);
        }

        return value ?? throw Error(message.Position, "cel.expr.ExprValue has no kind set");
    }

    private ExpectedResult.TypedResult ReadTypedResult(TextField holder)
    {
        var check = FieldCheck.For(this, "TypedResult");
        ExpectedValue? value = null;
        ExpectedType? type = null;
        foreach (var field in Message(holder).Fields)
        {
            switch (Key(field))
            {
                case "result": value = ReadValue(field); break;
                case "deduced_type": type = ReadType(field); break;
                default: throw UnknownField(field, "TypedResult");
            }

            check.Add(field);
        }

        return new ExpectedResult.TypedResult(value, type);
    }

    /// <summary>The messages of a <c>cel.expr.ErrorSet</c>; status codes and details are read past, as no runner compares them.</summary>
    private IReadOnlyList<string> ReadErrorSet(TextField holder)
    {
        var messages = new List<string>();
        foreach (var field in Message(holder).Fields)
        {
            if (Key(field) != "errors")
            {
                throw UnknownField(field, "cel.expr.ErrorSet");
            }

            var check = FieldCheck.For(this, "cel.expr.Status", "details");
            var message = "";
            foreach (var statusField in Message(field).Fields)
            {
                switch (Key(statusField))
                {
                    case "message": message = String(statusField); break;
                    case "code": Int32(statusField); break;
                    case "details": Message(statusField); break;
                    default: throw UnknownField(statusField, "cel.expr.Status");
                }

                check.Add(statusField);
            }

            messages.Add(message);
        }

        return messages;
    }

    private IReadOnlyList<long> ReadUnknownSet(TextField holder) =>
        ReadRepeated(holder, "cel.expr.UnknownSet", "exprs", Int64);

    /// <summary>A message whose only field is one repeated field, such as ErrorSetMatcher or ListValue.</summary>
    private IReadOnlyList<T> ReadRepeated<T>(TextField holder, string messageType, string fieldName, Func<TextField, T> read) =>
        [.. Message(holder).Fields.Select(f => Key(f) == fieldName ? read(f) : throw UnknownField(f, messageType))];
}
