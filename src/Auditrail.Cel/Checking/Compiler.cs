using System.Text;
using Auditrail.Cel.Library;
using Auditrail.Cel.Runtime;
using Auditrail.Cel.Syntax;

namespace Auditrail.Cel.Checking;

/// <summary>
/// Checks and compiles a parsed expression in one walk: resolves names (locals, declared variables,
/// qualified names, types, functions), deduces types where it can, reports every error with its
/// position, folds constant calls, and builds the delegate tree the program runs.
/// </summary>
/// <remarks>
/// Field access on declared variables is lowered at compile time: <c>objectRef.resource</c> becomes a
/// direct read of the variable declared with that dotted name, and comparing such a variable with
/// string literals reads its UTF-8 bytes when the activation can give them, allocating nothing.
/// </remarks>
internal sealed class Compiler(CelEnvironment environment, SourceText source)
{
    private readonly List<CelDiagnostic> _diagnostics = [];
    private readonly List<(string Name, int Slot)> _locals = [];
    private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);
    private int _nextSlot;

    public IReadOnlyList<CelDiagnostic> Diagnostics => _diagnostics;

    private static readonly Dictionary<string, CelType> TypeNames = new(StringComparer.Ordinal)
    {
        ["int"] = CelType.Int,
        ["uint"] = CelType.Uint,
        ["double"] = CelType.Double,
        ["bool"] = CelType.Bool,
        ["string"] = CelType.String,
        ["bytes"] = CelType.Bytes,
        ["list"] = CelType.ListOfDyn,
        ["map"] = CelType.MapOfDyn,
        ["null_type"] = CelType.NullType,
        ["type"] = CelType.TypeType,
                ["optional_type"] = CelType.OptionalOfDyn,
        ["google.protobuf.Timestamp"] = CelType.Timestamp,
        ["google.protobuf.Duration"] = CelType.Duration,
    };

    /// <summary>A compiled sub-expression: its delegate, its deduced type, and its value when constant.</summary>
    private readonly record struct Compiled(Node Node, CelType Type, CelValue? Constant = null, CelVariable? Variable = null);

    public (Node Node, CelType Type) Compile(Expr expr)
    {
        var compiled = CompileExpr(expr);
        return (compiled.Node, compiled.Type);
    }

    private void Error(Expr at, string message) => _diagnostics.Add(source.Diagnostic(at.Position, message));

    /// <summary>
    /// A declaration or type error: a compile error normally; with checking disabled (as cel-spec's
    /// disable_check asks) it is left to surface at runtime, where <c>||</c> and <c>&amp;&amp;</c> may absorb it.
    /// </summary>
    private void CheckError(Expr at, string message)
    {
        if (environment.CheckTypes)
        {
            Error(at, message);
        }
    }

    private static Compiled Const(CelValue value) => new(_ => value, TypeOfValue(value), value);

    private static CelType TypeOfValue(CelValue value) => value.Kind == CelKind.Type ? CelType.TypeOf(value.AsType) : value.RuntimeType;

    private Compiled CompileExpr(Expr expr) => expr switch
    {
        ConstExpr c => Const(c.Value),
        IdentExpr ident => CompileIdent(ident),
        SelectExpr select => CompileSelect(select),
        CallExpr call => CompileCall(call),
        ListExpr list => CompileList(list),
        MapExpr map => CompileMap(map),
        ComprehensionExpr loop => CompileComprehension(loop),
        StructExpr s => Unsupported(s, $"message construction ({s.MessageName}{{...}}) is not supported: no protobuf message types are declared"),
        _ => Unsupported(expr, "unsupported expression"),
    };

    private Compiled Unsupported(Expr at, string message)
    {
        Error(at, message);
        return Const(CelValue.Error(message));
    }

    private Compiled CompileIdent(IdentExpr ident)
    {
        if (TryLocal(ident.Name, out var slot))
        {
            return new Compiled(f => f.Locals[slot], CelType.Dyn);
        }

        if (ResolveName(ident.Name) is { } resolved)
        {
            return resolved;
        }

        if (environment.NamedExpressions?.Invoke(ident.Name) is { } body)
        {
            if (!_expanding.Add(ident.Name))
            {
                Error(ident, $"'{ident.Name}' refers to itself through macros ({string.Join(" -> ", _expanding)} -> {ident.Name})");
                return Const(CelValue.Error("macro cycle"));
            }

            try
            {
                return CompileExpr(body);
            }
            finally
            {
                _expanding.Remove(ident.Name);
            }
        }

        CheckError(ident, $"undeclared reference to '{ident.Name}'");
        return Const(CelValue.Error($"undeclared reference to '{ident.Name}'"));
    }

    /// <summary>A declared variable or a type name, trying the container's prefixes.</summary>
    private Compiled? ResolveName(string name)
    {
        foreach (var candidate in environment.Candidates(name))
        {
            if (environment.FindVariable(candidate) is { } variable)
            {
                var index = variable.Index;
                return new Compiled(f => f.Activation.Resolve(index), variable.Type, null, variable);
            }

            if (TypeNames.TryGetValue(candidate, out var type) || environment.Functions.TryGetType(candidate, out type))
            {
                return Const(CelValue.Type(type));
            }
        }

        return null;
    }

    private bool TryLocal(string name, out int slot)
    {
        for (var i = _locals.Count - 1; i >= 0; i--)
        {
            if (_locals[i].Name == name)
            {
                slot = _locals[i].Slot;
                return true;
            }
        }

        slot = -1;
        return false;
    }

    /// <summary><c>a.b.c</c> as a dotted name when it is made only of identifiers not shadowed by locals.</summary>
    private string? QualifiedName(Expr expr) => expr switch
    {
        IdentExpr ident when !TryLocal(ident.Name, out _) => ident.Name,
        SelectExpr { TestOnly: false, Optional: false } select when QualifiedName(select.Operand) is { } prefix => $"{prefix}.{select.Field}",
        _ => null,
    };

    private Compiled CompileSelect(SelectExpr select)
    {
        // Field-access lowering: the longest declared name wins, as CEL resolves qualified identifiers.
        if (QualifiedName(select with { TestOnly = false }) is { } dotted && ResolveName(dotted) is { } direct)
        {
            // has(a.b) on a variable declared as "a.b": present unless the host reports it missing.
            if (select.TestOnly)
            {
                var read = direct.Node;
                return new Compiled(f => read(f) is { Kind: CelKind.Error } ? CelValue.False : CelValue.True, CelType.Bool);
            }

            return direct;
        }

        var operand = CompileExpr(select.Operand);
        var field = select.Field;
        var fieldValue = CelValue.String(field);
        if (select.TestOnly)
        {
            return new Compiled(f => Has(operand.Node(f), fieldValue), CelType.Bool);
        }

        var resultType = operand.Type.Kind == CelTypeKind.Map ? operand.Type.ElementType : CelType.Dyn;
        if (operand.Type.Kind is CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Double or CelTypeKind.String or CelTypeKind.Bool or CelTypeKind.Bytes)
        {
            CheckError(select, $"type '{operand.Type.Display}' does not support field selection");
        }

        return new Compiled(f => SelectField(operand.Node(f), fieldValue), resultType);
    }

    private static CelValue Has(CelValue operand, CelValue field) => operand.Kind switch
    {
        CelKind.Map => CelValue.Bool(operand.AsMap.TryGet(field, out _)),
        CelKind.Optional => operand.AsOptional.HasValue ? Has(operand.AsOptional.Value, field) : CelValue.False,
        CelKind.Object => CelValue.Bool(operand.AsObject.Fields.ContainsKey(field.AsString)),
        CelKind.Error or CelKind.Unknown => operand,
        _ => CelValue.Error($"invalid type for field selection: {operand.RuntimeType.Display}"),
    };

    internal static CelValue SelectField(CelValue operand, CelValue field)
    {
        switch (operand.Kind)
        {
            case CelKind.Map:
                return operand.AsMap.TryGet(field, out var value) ? value : CelValue.Error($"no such key: {field.AsString}");
            case CelKind.Object:
                return operand.AsObject.Fields.TryGetValue(field.AsString, out var fieldValue) ? fieldValue : CelValue.Error($"no such field: {field.AsString}");
            case CelKind.Optional:
                // Selecting on an optional continues the optional chain (a.?b.c).
                var optional = operand.AsOptional;
                return !optional.HasValue ? operand : OptionalSelect(optional.Value, field);
            case CelKind.Error or CelKind.Unknown:
                return operand;
            default:
                return CelValue.Error($"type '{operand.RuntimeType.Display}' does not support field selection");
        }
    }

    private static CelValue OptionalSelect(CelValue operand, CelValue field)
    {
        if (operand.Kind == CelKind.Optional)
        {
            return operand.AsOptional.HasValue ? OptionalSelect(operand.AsOptional.Value, field) : operand;
        }

        var present = Has(operand, field);
        if (present.IsErrorOrUnknown)
        {
            return present;
        }

        return present.AsBool ? CelValue.Optional(CelOptional.Of(SelectField(operand, field))) : CelValue.Optional(CelOptional.None);
    }

    private Compiled CompileList(ListExpr list)
    {
        var elements = list.Elements.Select(CompileExpr).ToArray();
        var optional = new bool[elements.Length];
        foreach (var index in list.OptionalIndices)
        {
            optional[index] = true;
        }

        var types = elements.Select((e, i) => EntryType(e.Type, optional[i])).ToArray();
        var elementType = types.Length > 0 && types.All(t => t.Equals(types[0])) ? types[0] : CelType.Dyn;
        var anyOptional = list.OptionalIndices.Count > 0;
        if (!anyOptional && elements.All(e => e.Constant is not null))
        {
            var values = elements.Select(e => e.Constant!.Value).ToArray();
            if (values.All(v => !v.IsErrorOrUnknown))
            {
                return new Compiled(_ => CelValue.List(values), CelType.List(elementType), CelValue.List(values));
            }
        }

        var nodes = elements.Select(e => e.Node).ToArray();
        return new Compiled(f =>
        {
            var items = new List<CelValue>(nodes.Length);
            for (var i = 0; i < nodes.Length; i++)
            {
                var value = nodes[i](f);
                if (value.IsErrorOrUnknown)
                {
                    return value;
                }

                if (optional[i])
                {
                    if (value.Kind != CelKind.Optional)
                    {
                        return CelValue.Error("optional list element is not an optional value");
                    }

                    if (value.AsOptional.HasValue)
                    {
                        items.Add(value.AsOptional.Value);
                    }

                    continue;
                }

                items.Add(value);
            }

            return CelValue.List(items);
        }, CelType.List(elementType));
    }

    /// <summary>
    /// The type an element or map value adds to its literal: an optional entry (<c>[?e]</c>,
    /// <c>{?k: e}</c>) adds the optional's value when present, never the optional itself.
    /// </summary>
    private static CelType EntryType(CelType type, bool optional) =>
        !optional ? type : type.Kind == CelTypeKind.Optional ? type.ElementType : CelType.Dyn;

    private Compiled CompileMap(MapExpr map)
    {
        var entries = map.Entries.Select(e => (Key: CompileExpr(e.Key), Value: CompileExpr(e.Value), e.Optional)).ToArray();
        foreach (var (entry, i) in entries.Select((e, i) => (e, i)))
        {
            if (entry.Key.Type.Kind is CelTypeKind.Double or CelTypeKind.List or CelTypeKind.Map or CelTypeKind.Null or CelTypeKind.Bytes or CelTypeKind.Timestamp or CelTypeKind.Duration)
            {
                CheckError(map.Entries[i].Key, $"unsupported map key type: {entry.Key.Type.Display}");
            }
        }

        var keyType = entries.Length > 0 && entries.All(e => e.Key.Type.Equals(entries[0].Key.Type)) ? entries[0].Key.Type : CelType.Dyn;
        var valueTypes = entries.Select(e => EntryType(e.Value.Type, e.Optional)).ToArray();
        var valueType = valueTypes.Length > 0 && valueTypes.All(t => t.Equals(valueTypes[0])) ? valueTypes[0] : CelType.Dyn;
        return new Compiled(f =>
        {
            var result = new CelMap(entries.Length);
            foreach (var (keyNode, valueNode, optional) in entries)
            {
                var key = keyNode.Node(f);
                if (key.IsErrorOrUnknown)
                {
                    return key;
                }

                if (!CelMap.IsValidKey(key))
                {
                    return CelValue.Error($"unsupported map key type: {key.RuntimeType.Display}");
                }

                var value = valueNode.Node(f);
                if (value.IsErrorOrUnknown)
                {
                    return value;
                }

                if (optional)
                {
                    if (value.Kind != CelKind.Optional)
                    {
                        return CelValue.Error("optional map entry is not an optional value");
                    }

                    if (!value.AsOptional.HasValue)
                    {
                        continue;
                    }

                    value = value.AsOptional.Value;
                }

                if (!result.TryAdd(key, value))
                {
                    return CelValue.Error($"Failed with repeated key: {key}");
                }
            }

            return CelValue.Map(result);
        }, CelType.Map(keyType, valueType));
    }

    private Compiled CompileComprehension(ComprehensionExpr loop)
    {
        var range = CompileExpr(loop.IterRange);
        var accuInit = CompileExpr(loop.AccuInit);
        var accuSlot = _nextSlot++;
        _locals.Add((loop.AccuVar, accuSlot));
        var iterSlot = _nextSlot++;
        var iterSlot2 = loop.IterVar2 is null ? -1 : _nextSlot++;
        _locals.Add((loop.IterVar, iterSlot));
        if (loop.IterVar2 is not null)
        {
            _locals.Add((loop.IterVar2, iterSlot2));
        }

        var condition = CompileExpr(loop.LoopCondition);
        var step = CompileExpr(loop.LoopStep);
        _locals.RemoveRange(_locals.Count - (loop.IterVar2 is null ? 1 : 2), loop.IterVar2 is null ? 1 : 2);
        var result = CompileExpr(loop.Result);
        _locals.RemoveAt(_locals.Count - 1);
        var slots = _nextSlot;
        var twoVars = loop.IterVar2 is not null;

        return new Compiled(f =>
        {
            if (f.Locals.Length < slots)
            {
                Array.Resize(ref f.Locals, Math.Max(slots, f.Locals.Length * 2));
            }

            var collection = range.Node(f);
            if (collection.IsErrorOrUnknown)
            {
                return collection;
            }

            f.Locals[accuSlot] = accuInit.Node(f);
            switch (collection.Kind)
            {
                case CelKind.List:
                    var list = collection.AsList;
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (!f.Charge(1))
                        {
                            return Frame.BudgetExceeded;
                        }

                        if (!condition.Node(f).IsTrue)
                        {
                            break;
                        }

                        if (twoVars)
                        {
                            f.Locals[iterSlot] = CelValue.Int(i);
                            f.Locals[iterSlot2] = list[i];
                        }
                        else
                        {
                            f.Locals[iterSlot] = list[i];
                        }

                        f.Locals[accuSlot] = step.Node(f);
                    }

                    break;
                case CelKind.Map:
                    foreach (var (key, value) in collection.AsMap.Entries)
                    {
                        if (!f.Charge(1))
                        {
                            return Frame.BudgetExceeded;
                        }

                        if (!condition.Node(f).IsTrue)
                        {
                            break;
                        }

                        f.Locals[iterSlot] = key;
                        if (twoVars)
                        {
                            f.Locals[iterSlot2] = value;
                        }

                        f.Locals[accuSlot] = step.Node(f);
                    }

                    break;
                default:
                    return CelValue.Error($"expression of type '{collection.RuntimeType.Display}' cannot be the range of a comprehension (must be list or map)");
            }

            return result.Node(f);
        }, result.Type);
    }

    private Compiled CompileCall(CallExpr call)
    {
        switch (call.Function)
        {
            case Operators.LogicalAnd or Operators.LogicalOr when call.Target is null && call.Args.Count == 2:
                return CompileLogical(call, call.Function == Operators.LogicalAnd);
            case Operators.Conditional when call.Target is null && call.Args.Count == 3:
                return CompileConditional(call);
            case Operators.NotStrictlyFalse:
                var inner = CompileExpr(call.Args[0]).Node;
                return new Compiled(f => inner(f) is { Kind: CelKind.Bool } v && !v.AsBool ? CelValue.False : CelValue.True, CelType.Bool);
            case Operators.Equal or Operators.NotEquals when call.Target is null && call.Args.Count == 2:
                return CompileEquality(call, call.Function == Operators.Equal);
            case Operators.Less or Operators.LessEquals or Operators.Greater or Operators.GreaterEquals when call.Target is null && call.Args.Count == 2:
                return CompileOrdering(call);
            case Operators.In when call.Target is null && call.Args.Count == 2:
                return CompileIn(call);
            case Operators.Index or Operators.OptionalIndex when call.Target is null && call.Args.Count == 2:
                return CompileIndex(call, call.Function == Operators.OptionalIndex);
            case Operators.OptionalSelect when call.Args is [_, ConstExpr { Value.Kind: CelKind.String } fieldName]:
                var operand = CompileExpr(call.Args[0]).Node;
                var field = fieldName.Value;
                return new Compiled(f => OptionalSelect(operand(f), field), CelType.OptionalOfDyn);
        }

        return CompileFunctionCall(call);
    }

    private Compiled CompileLogical(CallExpr call, bool isAnd)
    {
        var left = CompileExpr(call.Args[0]);
        var right = CompileExpr(call.Args[1]);
        RequireBool(call.Args[0], left);
        RequireBool(call.Args[1], right);
        var l = left.Node;
        var r = right.Node;

        // Commutative error absorption: the deciding value wins whichever side it is on.
        return new Compiled(isAnd
            ? f =>
            {
                var a = l(f);
                if (a.Kind == CelKind.Bool && !a.AsBool)
                {
                    return a;
                }

                var b = r(f);
                if (b.Kind == CelKind.Bool && !b.AsBool)
                {
                    return b;
                }

                return Combine(a, b);
            }
        : f =>
            {
                var a = l(f);
                if (a.Kind == CelKind.Bool && a.AsBool)
                {
                    return a;
                }

                var b = r(f);
                if (b.Kind == CelKind.Bool && b.AsBool)
                {
                    return b;
                }

                return Combine(a, b);
            }, CelType.Bool);

        static CelValue Combine(CelValue a, CelValue b)
        {
            if (a.Kind != CelKind.Bool)
            {
                return a.IsErrorOrUnknown ? a : Values.NoOverload("logical operator", a, b);
            }

            if (b.Kind != CelKind.Bool)
            {
                return b.IsErrorOrUnknown ? b : Values.NoOverload("logical operator", a, b);
            }

            return a;
        }
    }

    private void RequireBool(Expr at, Compiled operand)
    {
        if (operand.Type.Kind is not (CelTypeKind.Bool or CelTypeKind.Dyn or CelTypeKind.TypeParam or CelTypeKind.Error))
        {
            CheckError(at, $"expected a bool, found '{operand.Type.Display}'");
        }
    }

    private Compiled CompileConditional(CallExpr call)
    {
        var condition = CompileExpr(call.Args[0]);
        RequireBool(call.Args[0], condition);
        var then = CompileExpr(call.Args[1]);
        var otherwise = CompileExpr(call.Args[2]);
        var c = condition.Node;
        var t = then.Node;
        var o = otherwise.Node;
        var type = then.Type.Equals(otherwise.Type) ? then.Type : CelType.Dyn;
        return new Compiled(f =>
        {
            var test = c(f);
            return test.Kind switch
            {
                CelKind.Bool => test.AsBool ? t(f) : o(f),
                CelKind.Error or CelKind.Unknown => test,
                _ => Values.NoOverload("_?_:_", test),
            };
        }, type);
    }

    private Compiled CompileEquality(CallExpr call, bool equals)
    {
        var left = CompileExpr(call.Args[0]);
        var right = CompileExpr(call.Args[1]);
        CheckComparable(call, left, right);

        if (FastUtf8Equality(left, right, equals) is { } fast)
        {
            return fast;
        }

        var l = left.Node;
        var r = right.Node;
        return new Compiled(equals
            ? f => Values.Equal(l(f), r(f))
            : f => Values.Equal(l(f), r(f)) is { Kind: CelKind.Bool } v ? CelValue.Bool(!v.AsBool) : Values.Equal(l(f), r(f)), CelType.Bool);
    }

    /// <summary><c>variable == "literal"</c> compares the activation's UTF-8 bytes, never building a string.</summary>
    private static Compiled? FastUtf8Equality(Compiled left, Compiled right, bool equals)
    {
        var (variable, literal, other) = left.Variable is not null && right.Constant is { Kind: CelKind.String } c1 ? (left.Variable, c1, left.Node)
            : right.Variable is not null && left.Constant is { Kind: CelKind.String } c2 ? (right.Variable, c2, right.Node)
            : (null, default, null);
        if (variable is null)
        {
            return null;
        }

        var index = variable.Index;
        var utf8 = Encoding.UTF8.GetBytes(literal.AsString);
        var fallback = other!;
        return new Compiled(f =>
        {
            if (f.Activation.TryGetUtf8(index, out var value))
            {
                return CelValue.Bool(value.SequenceEqual(utf8) == equals);
            }

            var result = Values.Equal(fallback(f), literal);
            return result.Kind == CelKind.Bool ? CelValue.Bool(result.AsBool == equals) : result;
        }, CelType.Bool);
    }

    private void CheckComparable(CallExpr call, Compiled left, Compiled right)
    {
        if (IsConcrete(left.Type) && IsConcrete(right.Type) && !left.Type.Equals(right.Type)
            && !(IsNumeric(left.Type) && IsNumeric(right.Type)) && left.Type.Kind != CelTypeKind.Null && right.Type.Kind != CelTypeKind.Null)
        {
            CheckError(call, $"found no matching overload for '{call.Function}' applied to '({left.Type.Display}, {right.Type.Display})'");
        }
    }

    private static bool IsConcrete(CelType type) => type.Kind is not (CelTypeKind.Dyn or CelTypeKind.TypeParam or CelTypeKind.Error or CelTypeKind.Optional)
        && type.Parameters.All(p => p.Kind is not (CelTypeKind.Dyn or CelTypeKind.TypeParam));

    private static bool IsNumeric(CelType type) => type.Kind is CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Double;

    private Compiled CompileOrdering(CallExpr call)
    {
        var left = CompileExpr(call.Args[0]);
        var right = CompileExpr(call.Args[1]);
        CheckComparable(call, left, right);
        var l = left.Node;
        var r = right.Node;
        Func<int, bool> test = call.Function switch
        {
            Operators.Less => o => o < 0,
            Operators.LessEquals => o => o <= 0,
            Operators.Greater => o => o > 0,
            _ => o => o >= 0,
        };
        return new Compiled(f =>
        {
            var status = Values.Compare(l(f), r(f), out var order);
            if (status.IsErrorOrUnknown)
            {
                return status;
            }

            // NaN is unordered: every comparison with it is false.
            return CelValue.Bool(order != int.MinValue && test(order));
        }, CelType.Bool);
    }

    private Compiled CompileIn(CallExpr call)
    {
        var element = CompileExpr(call.Args[0]);
        var container = CompileExpr(call.Args[1]);
        if (element.Variable is { } variable && container.Constant is { Kind: CelKind.List } list
            && list.AsList.All(v => v.Kind == CelKind.String))
        {
            // variable in ["a", "b", …]: compare UTF-8 bytes against each literal, no strings built.
            var index = variable.Index;
            var literals = list.AsList.Select(v => Encoding.UTF8.GetBytes(v.AsString)).ToArray();
            var fallbackNode = element.Node;
            return new Compiled(f =>
            {
                if (f.Activation.TryGetUtf8(index, out var value))
                {
                    foreach (var literal in literals)
                    {
                        if (value.SequenceEqual(literal))
                        {
                            return CelValue.True;
                        }
                    }

                    return CelValue.False;
                }

                return In(fallbackNode(f), list);
            }, CelType.Bool);
        }

        var e = element.Node;
        var c = container.Node;
        return new Compiled(f => In(e(f), c(f)), CelType.Bool);
    }

    private static CelValue In(CelValue element, CelValue container)
    {
        if (element.IsErrorOrUnknown)
        {
            return element;
        }

        switch (container.Kind)
        {
            case CelKind.List:
                var list = container.AsList;
                for (var i = 0; i < list.Count; i++)
                {
                    if (Values.AreEqual(element, list[i]))
                    {
                        return CelValue.True;
                    }
                }

                return CelValue.False;
            case CelKind.Map:
                return CelValue.Bool(container.AsMap.TryGet(element, out _));
            case CelKind.Error or CelKind.Unknown:
                return container;
            default:
                return Values.NoOverload("@in", element, container);
        }
    }

    private Compiled CompileIndex(CallExpr call, bool optional)
    {
        var operand = CompileExpr(call.Args[0]);
        var key = CompileExpr(call.Args[1]);
        var o = operand.Node;
        var k = key.Node;
        var type = optional ? CelType.OptionalOfDyn : operand.Type.Kind is CelTypeKind.List or CelTypeKind.Map ? operand.Type.ElementType : CelType.Dyn;
        return new Compiled(f => Index(o(f), k(f), optional), type);
    }

    internal static CelValue Index(CelValue operand, CelValue key, bool optional)
    {
        if (operand.IsErrorOrUnknown)
        {
            return operand;
        }

        if (key.IsErrorOrUnknown)
        {
            return key;
        }

        if (operand.Kind == CelKind.Optional)
        {
            return operand.AsOptional.HasValue ? Index(operand.AsOptional.Value, key, optional: true) : operand;
        }

        switch (operand.Kind)
        {
            case CelKind.List:
                var list = operand.AsList;
                long position;
                switch (key.Kind)
                {
                    case CelKind.Int:
                        position = key.AsInt;
                        break;
                    case CelKind.Uint when key.AsUint <= long.MaxValue:
                        position = (long)key.AsUint;
                        break;
                    case CelKind.Double when key.AsDouble == Math.Floor(key.AsDouble) && Math.Abs(key.AsDouble) < 9.2e18:
                        position = (long)key.AsDouble;
                        break;
                    default:
                        return Values.NoOverload("_[_]", operand, key);
                }

                if (position < 0 || position >= list.Count)
                {
                    return optional ? CelValue.Optional(CelOptional.None) : CelValue.Error($"index out of bounds: {position}");
                }

                return optional ? CelValue.Optional(CelOptional.Of(list[(int)position])) : list[(int)position];
            case CelKind.Map:
                if (operand.AsMap.TryGet(key, out var value))
                {
                    return optional ? CelValue.Optional(CelOptional.Of(value)) : value;
                }

                return optional ? CelValue.Optional(CelOptional.None) : CelValue.Error($"no such key: {key}");
            default:
                return Values.NoOverload("_[_]", operand, key);
        }
    }

    private Compiled CompileFunctionCall(CallExpr call)
    {
        // A target that names a namespace (optional.of, math.greatest) makes a global qualified call.
        if (call.Target is not null && QualifiedName(call.Target) is { } ns && ResolveName(ns) is null)
        {
            foreach (var candidate in environment.Candidates($"{ns}.{call.Function}"))
            {
                if (environment.Functions.Contains(candidate))
                {
                    return CompileDispatch(call, candidate, null, call.Args);
                }
            }
        }

        if (call.Target is null)
        {
            foreach (var candidate in environment.Candidates(call.Function))
            {
                if (environment.Functions.Contains(candidate))
                {
                    return CompileDispatch(call, candidate, null, call.Args);
                }
            }

            CheckError(call, $"undeclared reference to '{call.Function}'");
            return Const(CelValue.Error($"undeclared reference to '{call.Function}'"));
        }

        if (!environment.Functions.Contains(call.Function))
        {
            CheckError(call, $"undeclared reference to '{call.Function}'");
            return Const(CelValue.Error($"undeclared reference to '{call.Function}'"));
        }

        return CompileDispatch(call, call.Function, call.Target, call.Args);
    }

    private Compiled CompileDispatch(CallExpr call, string name, Expr? target, IReadOnlyList<Expr> args)
    {
        var member = target is not null;
        var compiledArgs = (target is null ? args : [target, .. args]).Select(CompileExpr).ToArray();
        var overloads = environment.Functions.Find(name).Where(o => o.Member == member).ToArray();
        var argTypes = compiledArgs.Select(a => a.Type).ToArray();
        var candidates = overloads.Where(o => Assignable(o.Parameters, argTypes)).ToArray();
        if (candidates.Length == 0)
        {
            var shown = string.Join(", ", argTypes.Select(t => t.Display));
            CheckError(call, overloads.Length == 0
                ? $"function '{name}' cannot be called {(member ? "as a member" : "as a global function")}"
                : $"found no matching overload for '{name}' applied to '({shown})'");
            return Const(CelValue.Error($"no matching overload for '{name}'"));
        }

        var resultType = candidates.Length == 1 && !HasTypeParams(candidates[0].Result) ? candidates[0].Result : CelType.Dyn;
        var nodes = compiledArgs.Select(a => a.Node).ToArray();

        // Constant folding: a pure function of constants is evaluated once, here.
        if (compiledArgs.All(a => a.Constant is not null) && candidates.All(c => c.Pure))
        {
            var folded = FunctionRegistry.Dispatch(name, candidates, member, compiledArgs.Select(a => a.Constant!.Value).ToArray());
            if (!folded.IsErrorOrUnknown)
            {
                return new Compiled(_ => folded, resultType.Kind == CelTypeKind.Dyn ? TypeOfValue(folded) : resultType, folded);
            }
        }

        var selected = candidates;
        return nodes.Length switch
        {
            0 => new Compiled(f => f.Charge(1) ? Limit(f, FunctionRegistry.Dispatch(name, selected, member, [])) : Frame.BudgetExceeded, resultType),
            1 => new Compiled(f => f.Charge(1) ? Limit(f, FunctionRegistry.Dispatch(name, selected, member, [nodes[0](f)])) : Frame.BudgetExceeded, resultType),
            2 => new Compiled(f => f.Charge(1) ? Limit(f, FunctionRegistry.Dispatch(name, selected, member, [nodes[0](f), nodes[1](f)])) : Frame.BudgetExceeded, resultType),
            _ => new Compiled(f =>
            {
                if (!f.Charge(1))
                {
                    return Frame.BudgetExceeded;
                }

                var values = new CelValue[nodes.Length];
                for (var i = 0; i < nodes.Length; i++)
                {
                    values[i] = nodes[i](f);
                }

                return Limit(f, FunctionRegistry.Dispatch(name, selected, member, values));
            }, resultType),
        };
    }

    /// <summary>
    /// Charges work proportional to the size of strings, bytes and lists a call produced, and refuses
    /// results over the size limit: repeated doubling (<c>s + s</c>) or quadratic accumulation in a
    /// comprehension runs into the budget instead of memory.
    /// </summary>
    private static CelValue Limit(Frame frame, CelValue result)
    {
        var size = result.Kind switch
        {
            CelKind.String => result.AsString.Length,
            CelKind.Bytes => result.AsBytes.Length,
            CelKind.List => result.AsList.Count,
            _ => 0,
        };
        if (size == 0)
        {
            return result;
        }

        if (size > frame.MaxCollectionSize)
        {
            return CelValue.Error($"result of {size:N0} elements exceeds the size limit of {frame.MaxCollectionSize:N0}");
        }

        return frame.Charge(size / 16) ? result : Frame.BudgetExceeded;
    }

    private static bool HasTypeParams(CelType type) => type.Kind == CelTypeKind.TypeParam || type.Parameters.Any(HasTypeParams);

    /// <summary>Whether arguments of these static types could be passed; dyn and type parameters accept anything.</summary>
    private static bool Assignable(CelType[] parameters, CelType[] args)
    {
        if (parameters.Length != args.Length)
        {
            return false;
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (!Assignable(parameters[i], args[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Assignable(CelType parameter, CelType argument)
    {
        if (parameter.Kind is CelTypeKind.Dyn or CelTypeKind.TypeParam || argument.Kind is CelTypeKind.Dyn or CelTypeKind.TypeParam or CelTypeKind.Error)
        {
            return true;
        }

        // Object types are told apart by name: a net.CIDR is no argument for a net.IP parameter.
        return parameter.Kind == argument.Kind && (parameter.Kind != CelTypeKind.Object || parameter.Name == argument.Name);
    }
}
