using DuckDB.NET.Data;
using ZstdSharp;

namespace Auditrail.Storage.Schema;

/// <summary>
/// How the event JSON is kept: a zstd frame per event, compressed with a dictionary trained on the
/// store's first events. One audit event is about a kilobyte of JSON whose keys and much of whose values
/// (usernames, user agents, URIs, annotations) repeat across events: alone, zstd finds little to reuse
/// in a kilobyte; with a dictionary of what events look like, it stores mostly what is new. DuckDB would
/// leave strings of this size uncompressed. Each row names its dictionary (0: none, for the events
/// written before there were enough samples to train one), so a store can learn a new one later.
/// </summary>
internal static class EventCodec
{
    /// <summary>Events sampled before a dictionary is trained: enough for zstd's trainer to find the common parts.</summary>
    public const int TrainingSamples = 2_000;

    /// <summary>zstd's usual dictionary size for small records.</summary>
    private const int DictionaryBytes = 64 * 1024;

    /// <summary>
    /// Level 1: with a dictionary, zstd's default level 3 made the frames 9% smaller but the whole file only
    /// 1% smaller (DuckDB's dictionary encoding stores repeated frames once either way), for 1.7× the
    /// compression time, the largest single cost of an append (500k generated events, one run each).
    /// </summary>
    private const int Level = 1;

    public const string CreateTable = "CREATE TABLE IF NOT EXISTS dictionaries (id INTEGER PRIMARY KEY, dictionary BLOB NOT NULL)";

    public static Compressor CreateCompressor(byte[]? dictionary)
    {
        var compressor = new Compressor(Level);
        if (dictionary is not null)
        {
            compressor.LoadDictionary(dictionary);
        }

        return compressor;
    }

    /// <summary>Trains a dictionary; null when the samples are too few or too alike for zstd to build one.</summary>
    public static byte[]? Train(IReadOnlyList<byte[]> samples)
    {
        try
        {
            return DictBuilder.TrainFromBuffer(samples, DictionaryBytes).ToArray();
        }
        catch (ZstdException)
        {
            return null;
        }
    }

    /// <summary>Stores a new dictionary and returns its id (1, 2, …).</summary>
    public static int Save(DuckDBConnection connection, byte[] dictionary)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO dictionaries SELECT coalesce(max(id), 0) + 1, $1 FROM dictionaries RETURNING id";
        command.Parameters.Add(new DuckDBParameter(dictionary));
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The newest dictionary, to go on compressing with it after a restart.</summary>
    public static (int Id, byte[]? Dictionary) LoadNewest(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, dictionary FROM dictionaries ORDER BY id DESC LIMIT 1";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt32(0), ReadBlob(reader, 1)) : (0, null);
    }

    public static byte[] ReadBlob(System.Data.Common.DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        byte[] bytes => bytes,
        Stream stream => ToArray(stream),
        var other => throw new InvalidCastException($"expected a BLOB, found {other.GetType().Name}"),
    };

    private static byte[] ToArray(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Decompresses events for one reader: one decompressor per dictionary, loaded on first use.</summary>
    internal sealed class Decoder(DuckDBConnection connection) : IDisposable
    {
        private readonly Dictionary<int, Decompressor> _decompressors = [];

        /// <summary>The columns <see cref="Decode(System.Data.Common.DbDataReader)"/> reads, in order.</summary>
        public const string Columns = "event, dictionary_id, audit_id, request_uri, verb, user_agent, received, time";

        /// <summary>The event JSON of the reader's current row, selected as <see cref="Columns"/>.</summary>
        public byte[] Decode(System.Data.Common.DbDataReader reader)
        {
            var columns = new EventFields.ColumnValues(
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                Queries.RowReader.Time(reader, 6),
                Queries.RowReader.Time(reader, 7));
            return EventFields.Restore(Decompress(ReadBlob(reader, 0), reader.GetInt32(1)), columns);
        }

        private byte[] Decompress(byte[] frame, int dictionaryId)
        {
            if (!_decompressors.TryGetValue(dictionaryId, out var decompressor))
            {
                decompressor = new Decompressor();
                if (dictionaryId != 0)
                {
                    decompressor.LoadDictionary(LoadDictionary(dictionaryId));
                }

                _decompressors[dictionaryId] = decompressor;
            }

            return decompressor.Unwrap(frame).ToArray();
        }

        public void Dispose()
        {
            foreach (var decompressor in _decompressors.Values)
            {
                decompressor.Dispose();
            }
        }

        private byte[] LoadDictionary(int id)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT dictionary FROM dictionaries WHERE id = $1";
            command.Parameters.Add(new DuckDBParameter(id));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadBlob(reader, 0) : throw new StoreException($"the store lacks compression dictionary {id}");
        }
    }
}
