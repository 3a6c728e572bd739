using System.Globalization;
using System.Text;

namespace OpenChoreo.Cel.Runtime;

/// <summary>Text renderings of values: the diagnostic form and the <c>string()</c> conversion of doubles.</summary>
internal static class Format
{
    public static void Debug(StringBuilder sb, CelValue v, int depth)
    {
        if (depth > 64) { sb.Append("..."); return; }
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (v.Kind)
        {
            case CelKind.Null: sb.Append("null"); break;
            case CelKind.Bool: sb.Append(v.AsBool ? "true" : "false"); break;
            case CelKind.Int: sb.Append(v.AsInt.ToString(CultureInfo.InvariantCulture)); break;
            case CelKind.Uint: sb.Append(v.AsUInt.ToString(CultureInfo.InvariantCulture)).Append('u'); break;
            case CelKind.Double: sb.Append(DoubleToString(v.AsDouble)); break;
            case CelKind.String: Quote(sb, v.AsString); break;
            case CelKind.Bytes: sb.Append("b\"").Append(Convert.ToHexString(v.AsBytes)).Append("\"(hex)"); break;
            case CelKind.Timestamp: sb.Append("timestamp(\"").Append(TimeFormat.FormatTimestamp(v)).Append("\")"); break;
            case CelKind.Duration: sb.Append("duration(\"").Append(TimeFormat.FormatDuration(v.DurationNanos)).Append("\")"); break;
            case CelKind.Type: sb.Append(v.AsType.Name); break;
            case CelKind.Error: sb.Append("error(").Append(v.Error!.Message).Append(')'); break;
            case CelKind.Optional:
                if (!v.OptionalHasValue) { sb.Append("optional.none()"); break; }
                sb.Append("optional.of(");
                Debug(sb, v.OptionalValue, depth + 1);
                sb.Append(')');
                break;
            case CelKind.List:
                {
                    sb.Append('[');
                    int n = v.ListCount;
                    for (int i = 0; i < n; i++)
                    {
                        if (i > 0) sb.Append(", ");
                        Debug(sb, v.ListAt(i), depth + 1);
                    }
                    sb.Append(']');
                    break;
                }
            case CelKind.Map:
                {
                    sb.Append('{');
                    bool first = true;
                    foreach (var (k, val) in v.MapEntries())
                    {
                        if (!first) sb.Append(", ");
                        first = false;
                        Debug(sb, k, depth + 1);
                        sb.Append(": ");
                        Debug(sb, val, depth + 1);
                    }
                    sb.Append('}');
                    break;
                }
        }
    }

    /// <summary>Shortest round-trip form, as cel-go prints doubles (1e+06 style exponents above 1e21).</summary>
    public static string DoubleToString(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "+Inf";
        if (double.IsNegativeInfinity(d)) return "-Inf";
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        // .NET writes "1E+21"; Go writes "1e+21".
        int e = r.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            string mant = r[..e];
            string exp = r[(e + 1)..];
            char sign = exp[0] == '-' ? '-' : '+';
            exp = exp.TrimStart('+', '-');
            if (exp.Length < 2) exp = "0" + exp;
            return mant + "e" + sign + exp;
        }
        return r;
    }

    public static void Quote(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f) sb.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(rune.ToString());
                    break;
            }
        }
        sb.Append('"');
    }
}
