namespace Auditrail.Storage;

/// <summary>The store cannot be opened or used as asked (a newer schema, a file that is not a store, a refused query).</summary>
public sealed class StoreException : Exception
{
    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public StoreException()
    {
    }
}
