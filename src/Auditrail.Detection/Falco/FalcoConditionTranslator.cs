using System.Globalization;
using System.Text;
using Auditrail.Detection.Rules;
using static Auditrail.Detection.Falco.FalcoCel;

namespace Auditrail.Detection.Falco;

/// <summary>A condition (or part) that cannot be translated, and where in the condition text.</summary>
public sealed class FalcoTranslationException(string message, int offset) : Exception(message)
{
    public int Offset { get; } = offset;
}

/// <summary>The lists and macros a condition may name, as the translated pack names them.</summary>
internal interface IFalcoNames
{
    /// <summary>A list's CEL name and its items (other lists already expanded), or null when there is no such list.</summary>
    (string CelName, IReadOnlyList<string> Items)? FindList(string name);

    /// <summary>A macro's CEL name, or null with why it cannot be used (undefined, or itself untranslated).</summary>
    string? FindMacro(string name, out string? problem);
}

/// <summary>
/// Translates Falco conditions to CEL over our field catalog. Every check becomes a total boolean (a
/// field the event lacks makes the check false, as in Falco, never an error), so <c>not</c>,
/// <c>and</c> and <c>or</c> keep Falco's meaning. Lists become references to the pack's lists.
/// </summary>
internal sealed class FalcoConditionTranslator(IFalcoNames names)
{
    /// <summary>CEL text with its binding strength, for parenthesizing: 1 <c>||</c>, 2 <c>&amp;&amp;</c>, 3 comparisons, 4 unary and primary.</summary>
    private readonly record struct Cel(string Text, int Precedence)
    {
        public string At(int precedence) => Precedence < precedence ? $"({Text})" : Text;
    }

    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int RelationLevel = 3;
    private const int PrimaryLevel = 4;

    /// <summary>The condition as CEL.</summary>
    /// <exception cref="FalcoTranslationException">A part has no CEL translation; the offset says which.</exception>
    public string Translate(FalcoExpr expr) => Expr(expr).Text;

    private Cel Expr(FalcoExpr expr) => expr switch
    {
        FalcoAnd and => Join(and.Terms, " && ", AndLevel),
        FalcoOr or => Join(or.Terms, " || ", OrLevel),
        FalcoNot not => new Cel("!" + Expr(not.Operand).At(PrimaryLevel), PrimaryLevel),
        FalcoMacroReference macro => Macro(macro),
        FalcoCheck check => Check(check),
        _ => throw new FalcoTranslationException($"unsupported expression {expr.GetType().Name}", expr.Offset),
    };

    private Cel Join(IReadOnlyList<FalcoExpr> terms, string separator, int level) =>
        new(string.Join(separator, terms.Select(t => Expr(t).At(level))), level);

    private Cel Macro(FalcoMacroReference reference) =>
        names.FindMacro(reference.Name, out var problem) is { } celName
            ? new Cel(celName, PrimaryLevel)
            : throw new FalcoTranslationException(problem!, reference.Offset);

    private Cel Check(FalcoCheck check)
    {
        var field = Field(check.Field);
        var op = check.Operator;
        if (op == "exists")
        {
            return Exists(field);
        }

        if (check.Value is FalcoFieldOperand other)
        {
            return CompareFields(field, op, Field(other.Field), check);
        }

        return field switch
        {
            ListValue list => ListCheck(list, op, check),
            OptionalValue optional => new Cel($"{optional.Values}.exists(v, {Predicate("v", op, check.Value!, number: false, check)})", PrimaryLevel),
            GuardedValue guarded => Guarded(guarded.Guard, Predicate(Operand(guarded.Value), op, check.Value!, guarded.IsNumber, check)),
            _ => throw new FalcoTranslationException($"unsupported field shape for '{check.Field}'", check.Offset),
        };
    }

    private static Cel Exists(FalcoFieldValue field) => field switch
    {
        GuardedValue { Guard: null } => new Cel("true", PrimaryLevel),
        GuardedValue guarded => new Cel(guarded.Guard!, HasTopLevelSpace(guarded.Guard!) ? AndLevel : PrimaryLevel),
        OptionalValue optional => new Cel($"size({optional.Values}) > 0", RelationLevel),
        ListValue list => new Cel($"size({list.Values}) > 0", RelationLevel),
        _ => throw new InvalidOperationException(field.GetType().Name),
    };

    private static Cel Guarded(string? guard, string predicate) =>
        guard is null ? new Cel(predicate, RelationLevel) : new Cel($"{guard} && {predicate}", AndLevel);

    /// <summary>
    /// A list field: <c>in</c> holds when every value is in the set, <c>intersects</c> when one is, and
    /// an empty list (nothing found) satisfies neither. Falco accepts no other operator on list fields.
    /// </summary>
    private Cel ListCheck(ListValue list, string op, FalcoCheck check)
    {
        var set = ValueSet(check.Value!);
        return op switch
        {
            "in" => new Cel($"cel.bind(values, {list.Values}, size(values) > 0 && values.all(v, v in {set}))", PrimaryLevel),
            "intersects" => new Cel($"{list.Values}.exists(v, v in {set})", PrimaryLevel),
            _ => throw new FalcoTranslationException(
                $"'{check.Field}' is a list field, which Falco compares only with exists, in and intersects, not '{op}'", check.Offset),
        };
    }

    /// <summary>A comparison of two fields (<c>val(…)</c> or a transformed field on the right).</summary>
    private static Cel CompareFields(FalcoFieldValue left, string op, FalcoFieldValue right, FalcoCheck check)
    {
        var (leftGuard, leftValue) = Single(left, check);
        if (right is ListValue list && op is "in" or "intersects")
        {
            return Guarded(leftGuard, $"{Operand(leftValue)} in {list.Values}");
        }

        var (rightGuard, rightValue) = Single(right, check);
        var predicate = op switch
        {
            "=" => $"{Operand(leftValue)} == {Operand(rightValue)}",
            "!=" or "<" or "<=" or ">" or ">=" => $"{Operand(leftValue)} {op} {Operand(rightValue)}",
            "in" or "intersects" => $"{Operand(leftValue)} == {Operand(rightValue)}",
            "contains" => $"{Operand(leftValue)}.contains({rightValue})",
            "startswith" => $"{Operand(leftValue)}.startsWith({rightValue})",
            "endswith" => $"{Operand(leftValue)}.endsWith({rightValue})",
            "icontains" => $"{Operand(leftValue)}.lowerAscii().contains({Operand(rightValue)}.lowerAscii())",
            _ => throw new FalcoTranslationException($"operator '{op}' cannot compare two fields", check.Offset),
        };
        var guard = string.Join(" && ", new[] { leftGuard, rightGuard }.OfType<string>());
        return Guarded(guard.Length == 0 ? null : guard, predicate);
    }

    /// <summary>A single-valued field as a guard and a value; list fields have no single value.</summary>
    private static (string? Guard, string Value) Single(FalcoFieldValue field, FalcoCheck check) => field switch
    {
        GuardedValue guarded => (guarded.Guard, guarded.Value),
        OptionalValue optional => ($"size({optional.Values}) > 0", $"{optional.Values}[0]"),
        _ => throw new FalcoTranslationException($"a list field cannot be compared with another field ('{check.Field}')", check.Offset),
    };

    /// <summary>The CEL test of one value (<paramref name="value"/>, a CEL expression) against the right-hand side.</summary>
    private string Predicate(string value, string op, FalcoOperand operand, bool number, FalcoCheck check)
    {
        if (FalcoOperators.IsListOperator(op))
        {
            return op == "pmatch" ? PathMatch(value, operand, check) : $"{value} in {(number ? NumberSet(operand, check) : ValueSet(operand))}";
        }

        if (operand is not FalcoValue literal)
        {
            throw new FalcoTranslationException($"operator '{op}' takes one value, not a list", operand.Offset);
        }

        if (number)
        {
            var n = Number(literal, check);
            return op switch
            {
                "=" => $"{value} == {n}",
                "!=" or "<" or "<=" or ">" or ">=" => $"{value} {op} {n}",
                _ => throw new FalcoTranslationException($"operator '{op}' does not apply to the number len() gives", check.Offset),
            };
        }

        var text = literal.Text;
        return op switch
        {
            "=" => $"{value} == {Quote(text)}",

            // Falco compares strings byte by byte for the orderings too, so "99" > "400": as CEL does.
            "!=" or "<" or "<=" or ">" or ">=" => $"{value} {op} {Quote(text)}",
            "contains" => $"{value}.contains({Quote(text)})",
            "icontains" => $"{value}.lowerAscii().contains({Quote(LowerAscii(text))})",
            "startswith" => $"{value}.startsWith({Quote(text)})",
            "endswith" => $"{value}.endsWith({Quote(text)})",
            "bcontains" => $"{value}.contains({Quote(FromHex(text, check))})",
            "bstartswith" => $"{value}.startsWith({Quote(FromHex(text, check))})",
            "glob" => $"{value}.matches({Quote(GlobPattern.ToRegex(text))})",
            "iglob" => $"{value}.lowerAscii().matches({Quote(GlobPattern.ToRegex(LowerAscii(text)))})",

            // Falco's regex must match the whole value (RE2, anchored at both ends).
            "regex" => $"{value}.matches({Quote($"^(?:{text})$")})",
            _ => throw new FalcoTranslationException($"unknown operator '{op}'", check.Offset),
        };
    }

    /// <summary><c>pmatch</c>: the value is one of the paths or lies beneath one, component by component.</summary>
    private string PathMatch(string value, FalcoOperand operand, FalcoCheck check)
    {
        var paths = ExpandedValues(operand, check);
        if (paths.Count == 0)
        {
            return "false";
        }

        return "(" + string.Join(" || ", paths.Select(p =>
        {
            var trimmed = p.Length > 1 ? p.TrimEnd('/') : p;
            var under = trimmed.EndsWith('/') ? trimmed : trimmed + "/";
            return $"{value} == {Quote(trimmed)} || {value}.startsWith({Quote(under)})";
        })) + ")";
    }

    /// <summary>
    /// The right-hand side of <c>in</c>: pack lists by name (so appending to a list still reaches every
    /// rule), literal values in between; Falco substitutes unquoted list names the same way.
    /// </summary>
    private string ValueSet(FalcoOperand operand)
    {
        var items = operand switch
        {
            FalcoValueList list => list.Items,
            FalcoValue single => [single],
            _ => throw new FalcoTranslationException("expected a list of values", operand.Offset),
        };

        var parts = new List<string>();
        var literals = new List<string>();
        foreach (var item in items)
        {
            if (!item.Quoted && names.FindList(item.Text) is { } list)
            {
                Flush();
                parts.Add(list.CelName);
            }
            else
            {
                literals.Add(Quote(item.Text));
            }
        }

        Flush();
        return parts.Count == 0 ? "[]" : string.Join(" + ", parts);

        void Flush()
        {
            if (literals.Count > 0)
            {
                parts.Add($"[{string.Join(", ", literals)}]");
                literals.Clear();
            }
        }
    }

    private string NumberSet(FalcoOperand operand, FalcoCheck check) =>
        $"[{string.Join(", ", ExpandedValues(operand, check).Select(v => Number(new FalcoValue(v, false, operand.Offset), check)))}]";

    /// <summary>The values of a list operand with list names replaced by their items.</summary>
    private List<string> ExpandedValues(FalcoOperand operand, FalcoCheck check) => operand switch
    {
        FalcoValueList list => list.Items.SelectMany(i => !i.Quoted && names.FindList(i.Text) is { } found ? found.Items : [i.Text]).ToList(),
        FalcoValue single => [single.Text],
        _ => throw new FalcoTranslationException("expected a list of values", check.Offset),
    };

    private static string Number(FalcoValue literal, FalcoCheck check)
    {
        var text = literal.Text;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        throw new FalcoTranslationException($"'{text}' is not an integer, which len() compares with", check.Offset);
    }

    private static string FromHex(string hex, FalcoCheck check)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromHexString(hex));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new FalcoTranslationException($"'{hex}' is not hex-encoded UTF-8 text", check.Offset);
        }
    }

    /// <summary>The field with its transformers applied (innermost first).</summary>
    private static FalcoFieldValue Field(FalcoFieldReference reference)
    {
        var value = FalcoFields.Resolve(reference.Name, reference.Argument, out var error)
            ?? throw new FalcoTranslationException(error!, reference.Offset);
        foreach (var transformer in reference.Transformers.Reverse())
        {
            value = Transform(value, transformer, reference);
        }

        return value;
    }

    private static FalcoFieldValue Transform(FalcoFieldValue value, string transformer, FalcoFieldReference reference)
    {
        var method = transformer switch
        {
            "tolower" => "lowerAscii",
            "toupper" => "upperAscii",
            "len" => null,
            _ => throw new FalcoTranslationException($"transformer '{transformer}' is not supported (tolower, toupper, len, val)", reference.Offset),
        };

        return (value, method) switch
        {
            (GuardedValue { IsNumber: true }, _) => throw new FalcoTranslationException($"'{transformer}' applies to text, and len() gives a number", reference.Offset),
            (GuardedValue g, null) => new GuardedValue(g.Guard, $"size({g.Value})") { IsNumber = true },
            (OptionalValue o, null) => new GuardedValue($"size({o.Values}) > 0", $"size({o.Values}[0])") { IsNumber = true },
            (ListValue l, null) => new GuardedValue($"size({l.Values}) > 0", $"size({l.Values})") { IsNumber = true },
            (GuardedValue g, _) => new GuardedValue(g.Guard, $"{Operand(g.Value)}.{method}()"),
            (OptionalValue o, _) => new OptionalValue($"{o.Values}.map(t, t.{method}())"),
            (ListValue l, _) => new ListValue($"{l.Values}.map(t, t.{method}())"),
            _ => throw new InvalidOperationException(value.GetType().Name),
        };
    }

    /// <summary>An expression made safe to put before an operator or a method call.</summary>
    internal static string Operand(string expression) => HasTopLevelSpace(expression) ? $"({expression})" : expression;

    private static bool HasTopLevelSpace(string expression) => CelText.OutsideStrings(expression).Any(c => c.Char == ' ');

    private static string LowerAscii(string text) => string.Concat(text.Select(c => char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : c));
}
