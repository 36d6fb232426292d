using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Chains.Prompts;

/// <summary>What a variable slot holds.</summary>
internal enum SlotKind : byte
{
    /// <summary>A value formatted into text.</summary>
    Text,

    /// <summary>A required list of chat messages (placeholder).</summary>
    Messages,

    /// <summary>An optional list of chat messages (placeholder).</summary>
    OptionalMessages,

    /// <summary>Messages supplied by the owner when formatting (few-shot examples), never by the input.</summary>
    Injected,
}

/// <summary>What one part of a template is: a text template (with a role in chat templates) or a messages placeholder.</summary>
internal readonly record struct PartSpec(ParsedTemplate? Template, ChatRole? Role, string? Placeholder, bool Optional);

/// <summary>One part of a template with its segments renumbered to the owner's slots.</summary>
internal sealed class TemplatePart
{
    public TemplatePart(ParsedTemplate? parsed, Segment[] segments, ChatRole? role, int messagesSlot)
    {
        Parsed = parsed;
        Segments = segments;
        Role = role;
        MessagesSlot = messagesSlot;
        foreach (var segment in segments)
        {
            if (segment.Literal is { } literal)
            {
                LiteralLength += literal.Length;
            }
            else
            {
                HoleCount++;
            }
        }

        if (HoleCount == 0)
        {
            Constant = string.Concat(segments.Select(s => s.Literal));
        }
    }

    public ParsedTemplate? Parsed { get; }

    public Segment[] Segments { get; }

    public ChatRole? Role { get; }

    /// <summary>Gets the slot of a messages placeholder, or -1 for a text part.</summary>
    public int MessagesSlot { get; }

    public int LiteralLength { get; }

    public int HoleCount { get; }

    /// <summary>Gets the text when the part has no variables.</summary>
    public string? Constant { get; }
}

/// <summary>
/// The immutable engine behind every template type: parts, the variable table shared by the parts, partial variables and
/// options; it binds inputs and renders text and messages.
/// </summary>
internal sealed class TemplateCore
{
    private static readonly object NotEvaluated = new();

    /// <summary>The parameter name reported for input errors (the public entry points call it <c>input</c> or <c>values</c>).</summary>
    private static readonly string InputParamName = "input";

    private readonly object?[] _partials;
    private readonly bool[] _hasPartial;
    private readonly ConcurrentDictionary<Type, object> _binders = new();

    private TemplateCore(TemplatePart[] parts, string[] names, SlotKind[] kinds, FrozenDictionary<string, int> slotOf, object?[] partials, bool[] hasPartial, PromptTemplateOptions options)
    {
        Parts = parts;
        Names = names;
        Kinds = kinds;
        SlotOf = slotOf;
        _partials = partials;
        _hasPartial = hasPartial;
        Options = options;
        HasFactories = partials.Any(p => p is Func<object?>);
        InputVariables = Enumerable.Range(0, names.Length).Where(i => !hasPartial[i] && kinds[i] is SlotKind.Text or SlotKind.Messages).Select(i => names[i]).ToArray();
        var partialMap = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (hasPartial[i])
            {
                partialMap[names[i]] = partials[i];
            }
        }

        PartialVariables = new ReadOnlyDictionary<string, object?>(partialMap);
    }

    public TemplatePart[] Parts { get; }

    public string[] Names { get; }

    public SlotKind[] Kinds { get; }

    public FrozenDictionary<string, int> SlotOf { get; }

    public PromptTemplateOptions Options { get; }

    public bool HasFactories { get; }

    /// <summary>Gets the variables the input must provide: text variables and required placeholders without a partial.</summary>
    public string[] InputVariables { get; }

    public IReadOnlyDictionary<string, object?> PartialVariables { get; }

    public static TemplateCore Create(IReadOnlyList<PartSpec> specs, PromptTemplateOptions options, string paramName)
    {
        var names = new List<string>();
        var kinds = new List<SlotKind>();
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (spec.Placeholder is { } placeholder)
            {
                if (slotOf.TryGetValue(placeholder, out var existing))
                {
                    throw new ArgumentException(
                        kinds[existing] == SlotKind.Text
                            ? $"'{placeholder}' is both a text variable and a messages placeholder; rename one of them."
                            : $"The messages placeholder '{placeholder}' appears twice; give each placeholder its own name.",
                        paramName);
                }

                slotOf[placeholder] = names.Count;
                names.Add(placeholder);
                kinds.Add(spec.Optional ? SlotKind.OptionalMessages : SlotKind.Messages);
                continue;
            }

            foreach (var variable in spec.Template!.Variables)
            {
                if (slotOf.TryGetValue(variable, out var existing))
                {
                    if (kinds[existing] != SlotKind.Text)
                    {
                        throw new ArgumentException($"'{variable}' is both a text variable and a messages placeholder; rename one of them.", paramName);
                    }

                    continue;
                }

                slotOf[variable] = names.Count;
                names.Add(variable);
                kinds.Add(SlotKind.Text);
            }
        }

        var parts = new TemplatePart[specs.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            var spec = specs[i];
            if (spec.Placeholder is { } placeholder)
            {
                parts[i] = new TemplatePart(null, [], spec.Role, slotOf[placeholder]);
                continue;
            }

            var parsed = spec.Template!;
            var segments = parsed.Segments
                .Select(s => s.Literal is { } literal ? new Segment(literal) : new Segment(slotOf[parsed.Variables[s.Slot]], s.Format))
                .ToArray();
            parts[i] = new TemplatePart(parsed, segments, spec.Role, -1);
        }

        return new TemplateCore(parts, names.ToArray(), kinds.ToArray(), slotOf.ToFrozenDictionary(StringComparer.Ordinal), new object?[names.Count], new bool[names.Count], options);
    }

    /// <summary>Returns a copy with a partial variable set (a value, or a <see cref="Func{TResult}"/> evaluated at each format).</summary>
    public TemplateCore WithPartial(string name, object? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (!SlotOf.TryGetValue(name, out var slot) || Kinds[slot] == SlotKind.Injected)
        {
            throw new ArgumentException($"The template has no variable '{name}'; its variables are: {DescribeVariables()}.", paramName);
        }

        if (Kinds[slot] != SlotKind.Text && value is not (null or Func<object?> or ChatMessage or IEnumerable<ChatMessage>))
        {
            throw new ArgumentException($"'{name}' is a messages placeholder, so its partial value must be chat messages (IEnumerable<ChatMessage>), not {value.GetType().Name}.", paramName);
        }

        var partials = (object?[])_partials.Clone();
        var hasPartial = (bool[])_hasPartial.Clone();
        partials[slot] = value;
        hasPartial[slot] = true;
        return new TemplateCore(Parts, Names, Kinds, SlotOf, partials, hasPartial, Options);
    }

    /// <summary>Returns a copy where the placeholder <paramref name="name"/> is filled by the owner, not the input.</summary>
    public TemplateCore WithInjected(string name, string paramName)
    {
        if (!SlotOf.TryGetValue(name, out var slot) || Kinds[slot] == SlotKind.Text)
        {
            throw new ArgumentException($"The prompt has no messages placeholder named '{name}'; add ChatMessageTemplate.Placeholder(\"{name}\") where the examples go.", paramName);
        }

        var kinds = (SlotKind[])Kinds.Clone();
        kinds[slot] = SlotKind.Injected;
        var partials = (object?[])_partials.Clone();
        var hasPartial = (bool[])_hasPartial.Clone();
        partials[slot] = null;
        hasPartial[slot] = false;
        return new TemplateCore(Parts, Names, kinds, SlotOf, partials, hasPartial, Options);
    }

    public bool HasPartial(int slot) => _hasPartial[slot];

    /// <summary>Gets the binder of <typeparamref name="TInput"/> inputs, creating (and validating) it on first use.</summary>
    /// <exception cref="PromptVariablesException">A concrete input type does not match the variables.</exception>
    public InputBinder<TInput> GetBinder<TInput>()
        => (InputBinder<TInput>)_binders.GetOrAdd(typeof(TInput), static (_, core) => new InputBinder<TInput>(core), this);

    public string DescribeVariables() => Names.Length == 0 ? "(none)" : string.Join(", ", Names.Where((_, i) => Kinds[i] != SlotKind.Injected));

    /// <summary>Binds the members of <paramref name="type"/> to slots, or throws naming every missing and unknown variable.</summary>
    public MemberAccessor<TInput>?[] BindMembers<TInput>(Type type, bool scalar)
    {
        var readers = new MemberAccessor<TInput>?[Names.Length];
        if (scalar)
        {
            var wanted = InputVariables;
            if (wanted.Length != 1)
            {
                throw new ArgumentException(
                    $"A {type.Name} input fills exactly one template variable, but the template needs {wanted.Length} ({(wanted.Length == 0 ? "none" : string.Join(", ", wanted))}). Use a record or a dictionary with one property or key per variable.",
                    InputParamName);
            }

            var slot = SlotOf[wanted[0]];
            CheckMessagesType(slot, TypeAccessors<TInput>.Scalar, type);
            readers[slot] = TypeAccessors<TInput>.Scalar;
            return readers;
        }

        var members = TypeAccessors<TInput>.Get(type);
        var used = new bool[members.Length];
        List<string>? missing = null;
        for (var slot = 0; slot < Names.Length; slot++)
        {
            if (Kinds[slot] == SlotKind.Injected)
            {
                continue;
            }

            var index = FindMember(members, Names[slot]);
            if (index >= 0)
            {
                CheckMessagesType(slot, members[index], type);
                readers[slot] = members[index];
                used[index] = true;
            }
            else if (!_hasPartial[slot] && Kinds[slot] is SlotKind.Text or SlotKind.Messages)
            {
                (missing ??= []).Add(Names[slot]);
            }
        }

        var unknown = Options.AllowUnusedInputs ? [] : members.Where((_, i) => !used[i]).Select(m => m.Name).ToArray();
        if (missing is not null || unknown.Length > 0)
        {
            throw new PromptVariablesException(missing ?? [], unknown, InputShapes.Describe(type));
        }

        return readers;
    }

    /// <summary>Checks a dictionary input: every needed variable present, every key used (unless allowed).</summary>
    public void ValidateDictionary<TInput>(TInput input, DictionaryAccess<TInput> dictionary)
    {
        List<string>? missing = null;
        var matched = 0;
        for (var slot = 0; slot < Names.Length; slot++)
        {
            if (Kinds[slot] == SlotKind.Injected)
            {
                continue;
            }

            if (dictionary.ContainsKey(input, Names[slot]))
            {
                matched++;
            }
            else if (!_hasPartial[slot] && Kinds[slot] is SlotKind.Text or SlotKind.Messages)
            {
                (missing ??= []).Add(Names[slot]);
            }
        }

        List<string>? unknown = null;
        if (!Options.AllowUnusedInputs && matched < dictionary.Count(input))
        {
            foreach (var key in dictionary.Keys(input))
            {
                if (!SlotOf.TryGetValue(key, out var slot) || Kinds[slot] == SlotKind.Injected)
                {
                    (unknown ??= []).Add(key);
                }
            }
        }

        if (missing is not null || unknown is not null)
        {
            throw new PromptVariablesException(missing ?? [], unknown ?? [], "dictionary input");
        }
    }

    /// <summary>Gets a partial value, evaluating a factory at most once per format call.</summary>
    public object? GetPartial(int slot, object?[]? evaluated)
    {
        var value = _partials[slot];
        if (value is not Func<object?> factory)
        {
            return value;
        }

        if (evaluated is null)
        {
            return factory();
        }

        if (ReferenceEquals(evaluated[slot], NotEvaluated))
        {
            evaluated[slot] = factory();
        }

        return evaluated[slot];
    }

    public object?[]? CreateEvaluationCache()
    {
        if (!HasFactories)
        {
            return null;
        }

        var cache = new object?[Names.Length];
        Array.Fill(cache, NotEvaluated);
        return cache;
    }

    /// <summary>Renders a text part: only the resulting string is allocated (plus pooled buffers for long prompts).</summary>
    public string RenderText<TInput>(TemplatePart part, in SlotValues<TInput> values)
    {
        if (part.Constant is { } constant)
        {
            return constant;
        }

        var handler = new DefaultInterpolatedStringHandler(part.LiteralLength, part.HoleCount, Options.Culture, stackalloc char[256]);
        foreach (ref readonly var segment in part.Segments.AsSpan())
        {
            if (segment.Literal is { } literal)
            {
                handler.AppendLiteral(literal);
            }
            else
            {
                values.Append(segment.Slot, ref handler, segment.Format);
            }
        }

        return handler.ToStringAndClear();
    }

    /// <summary>Renders every part as chat messages: text parts become one message each, placeholders expand.</summary>
    public ChatMessage[] RenderMessages<TInput>(in SlotValues<TInput> values)
    {
        var expanded = new IReadOnlyList<ChatMessage>?[Parts.Length];
        var count = 0;
        for (var i = 0; i < Parts.Length; i++)
        {
            if (Parts[i].MessagesSlot >= 0)
            {
                expanded[i] = GetMessages(Parts[i].MessagesSlot, values);
                count += expanded[i]!.Count;
            }
            else
            {
                count++;
            }
        }

        var messages = new ChatMessage[count];
        var n = 0;
        for (var i = 0; i < Parts.Length; i++)
        {
            if (expanded[i] is { } list)
            {
                for (var j = 0; j < list.Count; j++)
                {
                    messages[n++] = list[j];
                }
            }
            else
            {
                messages[n++] = new ChatMessage(Parts[i].Role ?? ChatRole.User, RenderText(Parts[i], values));
            }
        }

        return messages;
    }

    /// <summary>Renders the values of the text variables, separated by spaces: the query example selectors use.</summary>
    public string RenderQuery<TInput>(in SlotValues<TInput> values)
    {
        var handler = new DefaultInterpolatedStringHandler(Names.Length, Names.Length, Options.Culture, stackalloc char[256]);
        var first = true;
        for (var slot = 0; slot < Names.Length; slot++)
        {
            if (Kinds[slot] != SlotKind.Text)
            {
                continue;
            }

            if (!first)
            {
                handler.AppendLiteral(" ");
            }

            first = false;
            values.Append(slot, ref handler, null);
        }

        return handler.ToStringAndClear();
    }

    private IReadOnlyList<ChatMessage> GetMessages<TInput>(int slot, in SlotValues<TInput> values)
    {
        var value = values.GetValue(slot);
        IReadOnlyList<ChatMessage> list;
        switch (value)
        {
            case null when Kinds[slot] == SlotKind.Messages:
                throw new PromptVariablesException([Names[slot]], [], $"the required messages placeholder '{Names[slot]}' is null");
            case null:
                return [];
            case ChatMessage message:
                return [message];
            case IReadOnlyList<ChatMessage> readOnlyList:
                list = readOnlyList;
                break;
            case IEnumerable<ChatMessage> enumerable:
                list = enumerable.ToArray();
                break;
            default:
                throw new ArgumentException($"The messages placeholder '{Names[slot]}' needs chat messages (IEnumerable<ChatMessage>), but the input gave a {value.GetType().Name}.", InputParamName);
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"The messages placeholder '{Names[slot]}' holds a null message at index {i}; remove it.", InputParamName);
            }
        }

        return list;
    }

    private static int FindMember<TInput>(MemberAccessor<TInput>[] members, string name)
    {
        for (var i = 0; i < members.Length; i++)
        {
            if (string.Equals(members[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        var found = FindUnique(members, name, static (a, b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase));
        return found >= 0 ? found : FindUnique(members, name, static (a, b) => string.Equals(a.Replace("_", "", StringComparison.Ordinal), b.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
    }

    private static int FindUnique<TInput>(MemberAccessor<TInput>[] members, string name, Func<string, string, bool> equals)
    {
        var found = -1;
        for (var i = 0; i < members.Length; i++)
        {
            if (equals(members[i].Name, name))
            {
                if (found >= 0)
                {
                    return -1;
                }

                found = i;
            }
        }

        return found;
    }

    private void CheckMessagesType<TInput>(int slot, MemberAccessor<TInput> member, Type type)
    {
        if (Kinds[slot] == SlotKind.Text)
        {
            return;
        }

        var valueType = member.ValueType;
        if (typeof(IEnumerable<ChatMessage>).IsAssignableFrom(valueType) || valueType == typeof(ChatMessage) || valueType.IsAssignableFrom(typeof(ChatMessage[])))
        {
            return;
        }

        throw new ArgumentException(
            $"'{member.Name}' of {InputShapes.Describe(type)} fills the messages placeholder '{Names[slot]}', so it must be an IEnumerable<ChatMessage> (e.g. IReadOnlyList<ChatMessage>), but it is {valueType.Name}.",
            InputParamName);
    }
}

/// <summary>An input bound to a template's slots: where each slot's value comes from (member, key or partial).</summary>
internal readonly struct SlotValues<TInput>
{
    private readonly TemplateCore _core;
    private readonly TInput _input;
    private readonly MemberAccessor<TInput>?[]? _readers;
    private readonly DictionaryAccess<TInput>? _dictionary;
    private readonly object?[]? _evaluated;
    private readonly int _injectedSlot;
    private readonly object? _injected;

    public SlotValues(TemplateCore core, TInput input, MemberAccessor<TInput>?[]? readers, DictionaryAccess<TInput>? dictionary)
        : this(core, input, readers, dictionary, core.CreateEvaluationCache(), -1, null)
    {
    }

    private SlotValues(TemplateCore core, TInput input, MemberAccessor<TInput>?[]? readers, DictionaryAccess<TInput>? dictionary, object?[]? evaluated, int injectedSlot, object? injected)
    {
        _core = core;
        _input = input;
        _readers = readers;
        _dictionary = dictionary;
        _evaluated = evaluated;
        _injectedSlot = injectedSlot;
        _injected = injected;
    }

    public void Append(int slot, ref DefaultInterpolatedStringHandler handler, string? format)
    {
        if (_readers is not null)
        {
            if (_readers[slot] is { } reader)
            {
                reader.Append(_input, ref handler, format);
                return;
            }
        }
        else if (_dictionary is not null && _dictionary.TryGetValue(_input, _core.Names[slot], out var value))
        {
            handler.AppendFormatted(value, format);
            return;
        }

        handler.AppendFormatted(_core.GetPartial(slot, _evaluated), format);
    }

    public object? GetValue(int slot)
    {
        if (slot == _injectedSlot)
        {
            return _injected;
        }

        if (_readers is not null)
        {
            if (_readers[slot] is { } reader)
            {
                return reader.GetValue(_input);
            }
        }
        else if (_dictionary is not null && _dictionary.TryGetValue(_input, _core.Names[slot], out var value))
        {
            return value;
        }

        return _core.GetPartial(slot, _evaluated);
    }

    /// <summary>Returns the same binding with the owner's value for an injected slot (few-shot example messages).</summary>
    public SlotValues<TInput> WithInjected(int slot, object? value)
        => new(_core, _input, _readers, _dictionary, _evaluated, slot, value);
}

/// <summary>Binds inputs of one static type to a template: once for concrete types (validated when created), per call for
/// dictionaries and <see cref="object"/>.</summary>
internal sealed class InputBinder<TInput>
{
    private readonly TemplateCore _core;
    private readonly MemberAccessor<TInput>?[]? _readers;
    private readonly DictionaryAccess<TInput>? _dictionary;
    private readonly ConcurrentDictionary<Type, MemberAccessor<TInput>?[]>? _dynamic;

    /// <exception cref="PromptVariablesException">A concrete input type does not match the template's variables.</exception>
    public InputBinder(TemplateCore core)
    {
        _core = core;
        switch (InputShapes.Of(typeof(TInput)))
        {
            case InputShape.Dictionary:
                _dictionary = DictionaryAccess<TInput>.For(typeof(TInput));
                break;
            case InputShape.Dynamic:
                _dynamic = new ConcurrentDictionary<Type, MemberAccessor<TInput>?[]>();
                break;
            case InputShape.Scalar:
                _readers = core.BindMembers<TInput>(typeof(TInput), scalar: true);
                break;
            default:
                _readers = core.BindMembers<TInput>(typeof(TInput), scalar: false);
                break;
        }
    }

    /// <summary>Binds one input, validating dictionaries and runtime-typed inputs.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="PromptVariablesException">The input does not match the template's variables.</exception>
    public SlotValues<TInput> Bind(TInput input)
    {
        if (input is null)
        {
            throw new ArgumentNullException(nameof(input), "The prompt input is null; pass a record, an object or a dictionary holding the template's variables.");
        }

        var readers = _readers;
        var dictionary = _dictionary;
        if (_dynamic is not null)
        {
            var type = input.GetType();
            dictionary = DictionaryAccess<TInput>.For(type);
            if (dictionary is null && !_dynamic.TryGetValue(type, out readers))
            {
                readers = _dynamic.GetOrAdd(type, static (t, core) => core.BindMembers<TInput>(t, InputShapes.Of(t) == InputShape.Scalar), _core);
            }
        }

        if (dictionary is not null)
        {
            _core.ValidateDictionary(input, dictionary);
        }

        return new SlotValues<TInput>(_core, input, readers, dictionary);
    }
}
