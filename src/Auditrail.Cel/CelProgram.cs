using Auditrail.Cel.Runtime;

namespace Auditrail.Cel;

/// <summary>One compiled node: evaluates against a frame (activation, locals, cost so far).</summary>
internal delegate CelValue Node(Frame frame);

/// <summary>The state of one evaluation. Reused per thread, so evaluating allocates nothing by itself.</summary>
internal sealed class Frame
{
    public IActivation Activation = null!;
    public CelValue[] Locals = new CelValue[8];
    public long Cost;
    public long Budget;
    public int MaxCollectionSize;
    public bool InUse;

    /// <summary>Charges cost; false once the budget is spent, and the caller returns <see cref="BudgetExceeded"/>.</summary>
    public bool Charge(long units)
    {
        Cost += units;
        return Cost <= Budget;
    }

    public static readonly CelValue BudgetExceeded = CelValue.Error("evaluation cost budget exceeded");
}

/// <summary>A compiled CEL expression: thread-safe, evaluated with an activation that supplies variables.</summary>
public sealed class CelProgram
{
    [ThreadStatic]
    private static Frame? t_frame;

    private readonly Node _root;
    private readonly EvaluationLimits _limits;

    internal CelProgram(Node root, Runtime.CelType resultType, EvaluationLimits limits, string source)
    {
        _root = root;
        ResultType = resultType;
        _limits = limits;
        Source = source;
    }

    /// <summary>The type the checker deduced (dyn where it could not tell).</summary>
    public Runtime.CelType ResultType { get; }

    public string Source { get; }

    public CelValue Evaluate(IActivation activation) => Evaluate(activation, out _);

    /// <summary>Evaluates; <paramref name="cost"/> is what it spent against the budget.</summary>
    public CelValue Evaluate(IActivation activation, out long cost)
    {
        // One frame per thread; a re-entrant evaluation (a host function evaluating another program)
        // finds it in use and takes a fresh one.
        var frame = t_frame ??= new Frame();
        if (frame.InUse)
        {
            frame = new Frame();
        }

        frame.InUse = true;
        frame.Activation = activation;
        frame.Cost = 0;
        frame.Budget = _limits.CostBudget;
        frame.MaxCollectionSize = _limits.MaxCollectionSize;
        try
        {
            var result = _root(frame);
            cost = frame.Cost;
            return result;
        }
        finally
        {
            frame.InUse = false;
            frame.Activation = null!;
        }
    }
}
