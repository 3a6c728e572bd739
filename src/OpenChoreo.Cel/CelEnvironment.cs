using System.Collections.Concurrent;
using OpenChoreo.Cel.Functions;
using OpenChoreo.Cel.Parsing;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel;

/// <summary>
/// The functions and limits expressions are compiled against: the CEL standard library plus the cel-go extensions
/// (strings, encoders, math, lists, sets, two-variable comprehensions, optionals, <c>cel.bind</c>).
/// Immutable: <see cref="WithFunction(string, CelOverload[])"/> and <see cref="WithLimits"/> return new environments.
/// Each environment keeps a bounded cache of compiled programs.
/// </summary>
public sealed class CelEnvironment
{
    private static readonly FunctionTable StandardTable = Standard.CreateTable();

    private readonly FunctionTable _functions;
    private readonly ConcurrentDictionary<string, CelProgram> _cache = new(StringComparer.Ordinal);

    private CelEnvironment(FunctionTable functions, CelLimits limits, string container)
    {
        _functions = functions;
        Limits = limits;
        Container = container;
    }

    /// <summary>The standard environment with default limits.</summary>
    public static CelEnvironment Default { get; } = new(StandardTable, CelLimits.Default, "");

    /// <summary>A standard environment with the given limits.</summary>
    public static CelEnvironment Create(CelLimits? limits = null) => new(StandardTable, limits ?? CelLimits.Default, "");

    public CelLimits Limits { get; }

    /// <summary>Namespace used to resolve unqualified names (CEL "container"); empty by default.</summary>
    public string Container { get; }

    /// <summary>A copy of this environment with <paramref name="limits"/>.</summary>
    public CelEnvironment WithLimits(CelLimits limits) => new(_functions, limits ?? throw new ArgumentNullException(nameof(limits)), Container);

    /// <summary>A copy of this environment resolving names in <paramref name="container"/> (e.g. "com.example").</summary>
    public CelEnvironment WithContainer(string container) => new(_functions, Limits, container ?? "");

    /// <summary>
    /// A copy with function <paramref name="name"/> (may be dotted, e.g. "oc.merge") having <paramref name="overloads"/>.
    /// Host overloads are tried before built-ins of the same name, in the given order; the first whose parameter
    /// kinds match the arguments runs. An exception thrown by an implementation becomes a
    /// <see cref="CelErrorKind.FunctionFailed"/> error value.
    /// </summary>
    public CelEnvironment WithFunction(string name, params CelOverload[] overloads)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(overloads);
        if (overloads.Length == 0) throw new ArgumentException("at least one overload is required", nameof(overloads));
        var table = _functions.Clone();
        for (int i = overloads.Length - 1; i >= 0; i--)
        {
            var o = overloads[i];
            table.AddFirst(new FunctionImpl
            {
                Name = name,
                Style = o.ReceiverStyle ? CallStyle.Receiver : CallStyle.Global,
                Arity = o.Variadic ? -1 : o.Parameters.Length,
                MinArity = o.MinArgs,
                Custom = o,
            });
        }
        return new CelEnvironment(table, Limits, Container);
    }

    /// <summary>Shorthand: a global function of one argument of any kind.</summary>
    public CelEnvironment WithFunction(string name, Func<CelValue, CelValue> fn) =>
        WithFunction(name, CelOverload.Any(1, args => fn(args[0])));

    /// <summary>Shorthand: a global function of two arguments of any kind.</summary>
    public CelEnvironment WithFunction(string name, Func<CelValue, CelValue, CelValue> fn) =>
        WithFunction(name, CelOverload.Any(2, args => fn(args[0], args[1])));

    /// <summary>Parses and compiles <paramref name="expression"/>, or returns the cached program. Throws <see cref="CelParseException"/>.</summary>
    public CelProgram Compile(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (_cache.TryGetValue(expression, out var cached)) return cached;
        var program = CompileUncached(expression, macros: true);
        if (_cache.Count >= Limits.CompileCacheSize) _cache.Clear();
        _cache.TryAdd(expression, program);
        return program;
    }

    /// <summary>Compiles UTF-8 expression text; malformed UTF-8 is a <see cref="CelParseException"/> at the bad byte.</summary>
    public CelProgram CompileUtf8(ReadOnlySpan<byte> utf8)
    {
        int offset = 0;
        var remaining = utf8;
        while (!remaining.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(remaining, out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                string prefix = System.Text.Encoding.UTF8.GetString(utf8[..offset]);
                throw CelParseException.At(prefix, prefix.Length, $"invalid UTF-8 at byte {offset}");
            }
            offset += consumed;
            remaining = remaining[consumed..];
        }
        return Compile(System.Text.Encoding.UTF8.GetString(utf8));
    }

    /// <summary>Like <see cref="Compile"/>, returning the parse error instead of throwing.</summary>
    public bool TryCompile(string expression, out CelProgram? program, out CelParseException? error)
    {
        try
        {
            program = Compile(expression);
            error = null;
            return true;
        }
        catch (CelParseException e)
        {
            program = null;
            error = e;
            return false;
        }
    }

    internal CelProgram CompileUncached(string expression, bool macros)
    {
        var ast = Parser.Parse(expression, Limits, macros);
        var (root, slots) = Compiler.Compile(ast, _functions, Container);
        return new CelProgram(expression, root, slots, Limits.MaxCost);
    }
}
