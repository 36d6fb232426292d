using Npgsql;
using NpgsqlTypes;

namespace Chains.Pgvector;

/// <summary>Collects positional parameters (<c>$1</c>, <c>$2</c>, ...) for one SQL statement.</summary>
internal sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> _parameters = [];

    /// <summary>Adds a value and returns its placeholder.</summary>
    /// <param name="value">The value (<see langword="null"/> is sent as SQL NULL).</param>
    /// <param name="type">The PostgreSQL type, or <see langword="null"/> to infer it from the CLR type.</param>
    /// <returns>The placeholder, e.g. <c>$3</c>.</returns>
    public string Add(object? value, NpgsqlDbType? type = null)
    {
        var parameter = new NpgsqlParameter { Value = value ?? DBNull.Value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }

        _parameters.Add(parameter);
        return "$" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Moves the parameters into a command's collection.</summary>
    /// <param name="target">The command's parameters.</param>
    public void CopyTo(NpgsqlParameterCollection target)
    {
        foreach (var parameter in _parameters)
        {
            target.Add(parameter);
        }
    }
}
