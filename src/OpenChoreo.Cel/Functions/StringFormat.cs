using System.Globalization;
using System.Numerics;
using System.Text;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary><c>"...".format([args])</c> from the strings extension: %s %d %f %e %x %X %o %b with optional precision.</summary>
internal static class StringFormat
{
    public static CelValue Format(CelValue fmt, CelValue args)
    {
        if (fmt.Kind != CelKind.String || args.Kind != CelKind.List) return Err.NoOverload("format", fmt, args);
        string f = fmt.AsString;
        var sb = new StringBuilder(f.Length + 16);
        int argIndex = 0;
        int count = args.ListCount;
        for (int i = 0; i < f.Length; i++)
        {
            char c = f[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= f.Length) return Err.Invalid("format: unterminated % clause at end of string");
            if (f[i] == '%')
            {
                sb.Append('%');
                continue;
            }
            int? precision = null;
            if (f[i] == '.')
            {
                int start = ++i;
                while (i < f.Length && char.IsAsciiDigit(f[i])) i++;
                if (i == start || i >= f.Length) return Err.Invalid("format: malformed precision");
                if (!int.TryParse(f.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > 100)
                    return Err.Invalid("format: precision out of range");
                precision = p;
            }
            if (argIndex >= count) return Err.Invalid($"format: index {argIndex} out of range: not enough arguments");
            var arg = args.ListAt(argIndex++);
            string? error = null;
            string? text = f[i] switch
            {
                's' => AsString(arg, out error),
                'd' => Decimal(arg, out error),
                'f' => Fixed(arg, precision ?? 6, out error),
                'e' => Scientific(arg, precision ?? 6, out error),
                'x' => Hex(arg, upper: false, out error),
                'X' => Hex(arg, upper: true, out error),
                'o' => Radix(arg, 8, "octal", out error),
                'b' => Binary(arg, out error),
                _ => null,
            };
            if (text == null) return Err.Invalid(error ?? $"format: unrecognized formatting clause \"{f[i]}\"");
            sb.Append(text);
        }
        return CelValue.FromString(sb.ToString());
    }

    private static string? NonFinite(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : null;

    private static string? AsString(CelValue v, out string? error)
    {
        error = null;
        switch (v.Kind)
        {
            case CelKind.String: return v.AsString;
            case CelKind.Bool: return v.AsBool ? "true" : "false";
            case CelKind.Int: return v.AsInt.ToString(CultureInfo.InvariantCulture);
            case CelKind.Uint: return v.AsUInt.ToString(CultureInfo.InvariantCulture);
            case CelKind.Double: return NonFinite(v.AsDouble) ?? ShortestFixed(v.AsDouble);
            case CelKind.Bytes: return Encoding.UTF8.GetString(v.AsBytes); // invalid sequences become U+FFFD
            case CelKind.Null: return "null";
            case CelKind.Type: return v.AsType.Name;
            case CelKind.Timestamp: return TimeFormat.FormatTimestamp(v);
            case CelKind.Duration: return TimeFormat.FormatDuration(v.DurationNanos);
            case CelKind.List:
                {
                    var parts = new List<string>();
                    for (int i = 0; i < v.ListCount; i++)
                    {
                        var s = AsString(v.ListAt(i), out error);
                        if (s == null) return null;
                        parts.Add(s);
                    }
                    return "[" + string.Join(", ", parts) + "]";
                }
            case CelKind.Map:
                {
                    var parts = new List<(string Key, string Entry)>();
                    foreach (var (k, val) in v.MapEntries())
                    {
                        var ks = AsString(k, out error);
                        var vs = AsString(val, out error);
                        if (ks == null || vs == null) return null;
                        parts.Add((ks, ks + ": " + vs));
                    }
                    parts.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                    return "{" + string.Join(", ", parts.Select(p => p.Entry)) + "}";
                }
        }
        error = $"format: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given {Err.TypeName(v)}";
        return null;
    }

    /// <summary>Shortest round-trip digits without an exponent (Go's 'f', -1).</summary>
    private static string ShortestFixed(double d) => Conversions.GoFloat(d, allowExponent: false);

    private static string? Decimal(CelValue v, out string? error)
    {
        error = null;
        switch (v.Kind)
        {
            case CelKind.Int: return v.AsInt.ToString(CultureInfo.InvariantCulture);
            case CelKind.Uint: return v.AsUInt.ToString(CultureInfo.InvariantCulture);
            case CelKind.Double: return NonFinite(v.AsDouble) ?? ShortestFixed(v.AsDouble);
        }
        error = $"format: decimal clause can only be used on integers, was given {Err.TypeName(v)}";
        return null;
    }

    private static bool TryNumber(CelValue v, string clause, out double d, out string? error)
    {
        error = null;
        d = 0;
        switch (v.Kind)
        {
            case CelKind.Int: d = v.AsInt; return true;
            case CelKind.Uint: d = v.AsUInt; return true;
            case CelKind.Double: d = v.AsDouble; return true;
        }
        error = $"format: {clause} clause can only be used on integers and doubles, was given {Err.TypeName(v)}";
        return false;
    }

    private static string? Fixed(CelValue v, int precision, out string? error)
    {
        if (!TryNumber(v, "fixed-point", out double d, out error)) return null;
        // .NET "F" rounds half away from zero on the exact binary value, which matches Go for doubles.
        return NonFinite(d) ?? d.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string? Scientific(CelValue v, int precision, out string? error)
    {
        if (!TryNumber(v, "scientific", out double d, out error)) return null;
        if (NonFinite(d) is { } nf) return nf;
        string s = d.ToString((precision == 0 ? "0" : "0." + new string('0', precision)) + "e+00", CultureInfo.InvariantCulture);
        return s;
    }

    private static string? Hex(CelValue v, bool upper, out string? error)
    {
        error = null;
        string? s = v.Kind switch
        {
            CelKind.Int => v.AsInt < 0 ? "-" + ((ulong)(-(v.AsInt + 1)) + 1).ToString("x", CultureInfo.InvariantCulture) : v.AsInt.ToString("x", CultureInfo.InvariantCulture),
            CelKind.Uint => v.AsUInt.ToString("x", CultureInfo.InvariantCulture),
            CelKind.String => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(v.AsString)),
            CelKind.Bytes => Convert.ToHexStringLower(v.AsBytes),
            _ => null,
        };
        if (s == null)
        {
            error = $"format: only integers, byte buffers, and strings can be formatted as hex, was given {Err.TypeName(v)}";
            return null;
        }
        return upper ? s.ToUpperInvariant() : s;
    }

    private static string? Radix(CelValue v, int radix, string name, out string? error)
    {
        error = null;
        switch (v.Kind)
        {
            case CelKind.Int:
                {
                    long l = v.AsInt;
                    ulong mag = l < 0 ? (ulong)(-(l + 1)) + 1 : (ulong)l;
                    return (l < 0 ? "-" : "") + ToRadix(mag, radix);
                }
            case CelKind.Uint: return ToRadix(v.AsUInt, radix);
        }
        error = $"format: {name} clause can only be used on integers, was given {Err.TypeName(v)}";
        return null;
    }

    private static string? Binary(CelValue v, out string? error)
    {
        if (v.Kind == CelKind.Bool)
        {
            error = null;
            return v.AsBool ? "1" : "0";
        }
        return Radix(v, 2, "binary", out error);
    }

    private static string ToRadix(ulong v, int radix)
    {
        if (v == 0) return "0";
        var chars = new Stack<char>();
        var bv = new BigInteger(v);
        while (bv > 0)
        {
            chars.Push((char)('0' + (int)(bv % radix)));
            bv /= radix;
        }
        return new string([.. chars]);
    }
}
