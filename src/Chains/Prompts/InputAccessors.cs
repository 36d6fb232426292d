using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Chains.Prompts;

/// <summary>How a template reads an input type.</summary>
internal enum InputShape
{
    /// <summary>Public properties and fields of the (static) type.</summary>
    Members,

    /// <summary>An <c>IReadOnlyDictionary&lt;string, T&gt;</c>.</summary>
    Dictionary,

    /// <summary>A single value (string, number, date, enum) that fills the template's only input variable.</summary>
    Scalar,

    /// <summary><see cref="object"/>: the shape of the runtime type decides, per call.</summary>
    Dynamic,
}

internal static class InputShapes
{
    public static InputShape Of(Type type)
    {
        if (DictionaryAccess.FindValueType(type) is not null)
        {
            return InputShape.Dictionary;
        }

        if (type == typeof(object))
        {
            return InputShape.Dynamic;
        }

        return type == typeof(string) || type.IsEnum || (type.IsValueType && typeof(IFormattable).IsAssignableFrom(type))
            ? InputShape.Scalar
            : InputShape.Members;
    }

    public static string Describe(Type type)
        => type.Name.Contains("AnonymousType", StringComparison.Ordinal) ? "input of an anonymous type" : $"input type '{type.Name}'";
}

/// <summary>Reads one public property or field of an input, compiled once per type.</summary>
internal abstract class MemberAccessor<TInput>(string name, Type valueType)
{
    public string Name { get; } = name;

    public Type ValueType { get; } = valueType;

    public abstract object? GetValue(TInput input);

    public abstract void Append(TInput input, ref DefaultInterpolatedStringHandler handler, string? format);
}

/// <summary>A strongly typed accessor: formatting a value-type member does not box it.</summary>
internal sealed class MemberAccessor<TInput, TValue>(string name, Func<TInput, TValue> getter) : MemberAccessor<TInput>(name, typeof(TValue))
{
    public override object? GetValue(TInput input) => getter(input);

    public override void Append(TInput input, ref DefaultInterpolatedStringHandler handler, string? format)
        => handler.AppendFormatted(getter(input), format);
}

/// <summary>The compiled accessors of the types seen as <typeparamref name="TInput"/>, cached per runtime type.</summary>
internal static class TypeAccessors<TInput>
{
    private static readonly ConcurrentDictionary<Type, MemberAccessor<TInput>[]> Cache = new();
    private static readonly MethodInfo CreateMethod = typeof(TypeAccessors<TInput>).GetMethod(nameof(Create), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Gets the accessor that returns the input itself (scalar inputs).</summary>
    public static MemberAccessor<TInput> Scalar { get; } = new MemberAccessor<TInput, TInput>("input", static x => x);

    /// <summary>Gets accessors for the public instance properties and fields of <paramref name="type"/> (which is
    /// <typeparamref name="TInput"/> or, for <see cref="object"/> inputs, the runtime type), in declaration order.</summary>
    public static MemberAccessor<TInput>[] Get(Type type) => Cache.GetOrAdd(type, Build);

    private static MemberAccessor<TInput>[] Build(Type type)
    {
        var parameter = Expression.Parameter(typeof(TInput), "input");
        Expression target = type == typeof(TInput) ? parameter : Expression.Convert(parameter, type);
        var members = new List<(string Name, Type ValueType, MemberInfo Member, int Depth)>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is { IsPublic: true } && property.GetIndexParameters().Length == 0 && IsUsable(property.PropertyType))
            {
                members.Add((property.Name, property.PropertyType, property, Depth(property.DeclaringType)));
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (IsUsable(field.FieldType))
            {
                members.Add((field.Name, field.FieldType, field, Depth(field.DeclaringType)));
            }
        }

        // A member hidden with 'new' appears once per declaring type: keep the most derived one.
        return members
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .Select(g => g.MaxBy(m => m.Depth))
            .OrderBy(m => m.Depth)
            .ThenBy(m => m.Member.MetadataToken)
            .Select(m => (MemberAccessor<TInput>)CreateMethod.MakeGenericMethod(m.ValueType).Invoke(null, [m.Name, parameter, Expression.MakeMemberAccess(target, m.Member)])!)
            .ToArray();
    }

    private static MemberAccessor<TInput> Create<TValue>(string name, ParameterExpression parameter, Expression body)
        => new MemberAccessor<TInput, TValue>(name, Expression.Lambda<Func<TInput, TValue>>(body, parameter).Compile());

    private static bool IsUsable(Type type) => !type.IsByRefLike && !type.IsPointer && !type.IsByRef && !type.ContainsGenericParameters;

    private static int Depth(Type? type)
    {
        var depth = 0;
        for (; type is not null; type = type.BaseType)
        {
            depth++;
        }

        return depth;
    }
}

/// <summary>Reads an <c>IReadOnlyDictionary&lt;string, T&gt;</c> input whatever its value type.</summary>
internal abstract class DictionaryAccess<TInput>
{
    private static readonly ConcurrentDictionary<Type, DictionaryAccess<TInput>?> Cache = new();

    /// <summary>Gets the accessor for inputs of runtime type <paramref name="type"/>, or <see langword="null"/> when it is
    /// not a string-keyed read-only dictionary.</summary>
    public static DictionaryAccess<TInput>? For(Type type) => Cache.GetOrAdd(type, static t =>
        DictionaryAccess.FindValueType(t) is { } valueType
            ? (DictionaryAccess<TInput>)Activator.CreateInstance(typeof(DictionaryAccess<,>).MakeGenericType(typeof(TInput), valueType))!
            : null);

    public abstract bool TryGetValue(TInput input, string key, out object? value);

    public abstract bool ContainsKey(TInput input, string key);

    public abstract int Count(TInput input);

    public abstract IEnumerable<string> Keys(TInput input);
}

internal sealed class DictionaryAccess<TInput, TValue> : DictionaryAccess<TInput>
{
    public override bool TryGetValue(TInput input, string key, out object? value)
    {
        if (Cast(input).TryGetValue(key, out var typed))
        {
            value = typed;
            return true;
        }

        value = null;
        return false;
    }

    public override bool ContainsKey(TInput input, string key) => Cast(input).ContainsKey(key);

    public override int Count(TInput input) => Cast(input).Count;

    public override IEnumerable<string> Keys(TInput input) => Cast(input).Keys;

    private static IReadOnlyDictionary<string, TValue> Cast(TInput input) => (IReadOnlyDictionary<string, TValue>)(object)input!;
}

internal static class DictionaryAccess
{
    /// <summary>Finds <c>T</c> such that <paramref name="type"/> is or implements <c>IReadOnlyDictionary&lt;string, T&gt;</c>
    /// (preferring <c>object</c>), or <see langword="null"/>.</summary>
    public static Type? FindValueType(Type type)
    {
        Type? found = null;
        var candidates = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        foreach (var candidate in candidates)
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) && candidate.GenericTypeArguments[0] == typeof(string))
            {
                var valueType = candidate.GenericTypeArguments[1];
                if (found is null || valueType == typeof(object))
                {
                    found = valueType;
                }
            }
        }

        return found;
    }
}
