using System.Globalization;
using System.Text;
using OpenChoreo.Cel.Runtime;

namespace OpenChoreo.Cel.Functions;

/// <summary>The type conversion functions: int, uint, double, string, bytes, bool, timestamp, duration, type, dyn.</summary>
internal static class Conversions
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static CelValue ToInt(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Int: return v;
            case CelKind.Uint: return v.AsUInt > long.MaxValue ? Err.Overflow("int conversion out of range") : CelValue.FromInt((long)v.AsUInt);
            case CelKind.Double:
                {
                    double d = v.AsDouble;
                    // The int64 range is [-2^63, 2^63); doubles at the bounds are rejected as cel-go does.
                    if (double.IsNaN(d) || d <= -9.2233720368547758E18 || d >= 9.2233720368547758E18)
                        return Err.Overflow("int conversion out of range");
                    return CelValue.FromInt((long)d);
                }
            case CelKind.String:
                return long.TryParse(v.AsString, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
                    ? CelValue.FromInt(l)
                    : Err.Invalid($"cannot convert string '{v.AsString}' to int");
            case CelKind.Timestamp: return CelValue.FromInt(v.TimestampSeconds);
            case CelKind.Bool: return CelValue.FromInt(v.AsBool ? 1 : 0);
        }
        return Err.NoOverload("int", v);
    }

    public static CelValue ToUInt(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Uint: return v;
            case CelKind.Int: return v.AsInt < 0 ? Err.Overflow("uint conversion out of range") : CelValue.FromUInt((ulong)v.AsInt);
            case CelKind.Double:
                {
                    double d = v.AsDouble;
                    if (double.IsNaN(d) || d <= -1 || d >= 1.8446744073709552E19) return Err.Overflow("uint conversion out of range");
                    return CelValue.FromUInt((ulong)d);
                }
            case CelKind.String:
                return ulong.TryParse(v.AsString, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u)
                    ? CelValue.FromUInt(u)
                    : Err.Invalid($"cannot convert string '{v.AsString}' to uint");
            case CelKind.Bool: return CelValue.FromUInt(v.AsBool ? 1UL : 0UL);
        }
        return Err.NoOverload("uint", v);
    }

    public static CelValue ToDouble(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Double: return v;
            case CelKind.Int: return CelValue.FromDouble(v.AsInt);
            case CelKind.Uint: return CelValue.FromDouble(v.AsUInt);
            case CelKind.String:
                {
                    string s = v.AsString;
                    switch (s.ToLowerInvariant())
                    {
                        case "nan": return CelValue.FromDouble(double.NaN);
                        case "inf" or "+inf" or "infinity" or "+infinity": return CelValue.FromDouble(double.PositiveInfinity);
                        case "-inf" or "-infinity": return CelValue.FromDouble(double.NegativeInfinity);
                    }
                    return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                        ? CelValue.FromDouble(d)
                        : Err.Invalid($"cannot convert string '{s}' to double");
                }
        }
        return Err.NoOverload("double", v);
    }

    public static CelValue ToStringValue(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.String: return v;
            case CelKind.Bool: return CelValue.FromString(v.AsBool ? "true" : "false");
            case CelKind.Int: return CelValue.FromString(v.AsInt.ToString(CultureInfo.InvariantCulture));
            case CelKind.Uint: return CelValue.FromString(v.AsUInt.ToString(CultureInfo.InvariantCulture));
            case CelKind.Double: return CelValue.FromString(GoFloat(v.AsDouble));
            case CelKind.Bytes:
                return TryDecodeUtf8(v.AsBytes, out string? s) ? CelValue.FromString(s!) : Err.Invalid("invalid UTF-8 in bytes, cannot convert to string");
            case CelKind.Timestamp: return CelValue.FromString(TimeFormat.FormatTimestamp(v));
            case CelKind.Duration: return CelValue.FromString(TimeFormat.FormatDuration(v.DurationNanos));
            case CelKind.Type: return CelValue.FromString(v.AsType.Name);
            case CelKind.Null: return CelValue.FromString("null");
        }
        return Err.NoOverload("string", v);
    }

    public static bool TryDecodeUtf8(byte[] bytes, out string? s)
    {
        try
        {
            s = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            s = null;
            return false;
        }
    }

    public static CelValue ToBytes(CelValue v) => v.Kind switch
    {
        CelKind.Bytes => v,
        CelKind.String => CelValue.FromBytes(Encoding.UTF8.GetBytes(v.AsString)),
        _ => Err.NoOverload("bytes", v),
    };

    public static CelValue ToBool(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Bool: return v;
            case CelKind.String:
                switch (v.AsString)
                {
                    case "true" or "TRUE" or "True" or "t" or "T" or "1": return CelValue.True;
                    case "false" or "FALSE" or "False" or "f" or "F" or "0": return CelValue.False;
                }
                return Err.Invalid($"cannot convert string '{v.AsString}' to bool");
        }
        return Err.NoOverload("bool", v);
    }

    public static CelValue ToTimestamp(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Timestamp: return v;
            case CelKind.String:
                return TimeFormat.TryParseTimestamp(v.AsString, out long secs, out int nanos)
                    ? CelValue.Timestamp(secs, nanos)
                    : Err.Invalid($"cannot parse timestamp '{v.AsString}' (RFC 3339 expected)");
            case CelKind.Int: return CelValue.Timestamp(v.AsInt, 0);
        }
        return Err.NoOverload("timestamp", v);
    }

    public static CelValue ToDuration(CelValue v)
    {
        switch (v.Kind)
        {
            case CelKind.Duration: return v;
            case CelKind.String:
                return TimeFormat.TryParseDuration(v.AsString, out long nanos)
                    ? CelValue.Duration(nanos)
                    : Err.Invalid($"cannot parse duration '{v.AsString}'");
            case CelKind.Int: return CelValue.Duration(v.AsInt);
        }
        return Err.NoOverload("duration", v);
    }

    public static CelValue TypeOf(CelValue v) => CelValue.FromType(CelType.Of(v.Kind));

    public static CelValue Dyn(CelValue v) => v;

    /// <summary>Go's <c>strconv.FormatFloat(d, 'g', -1, 64)</c>: shortest digits, exponent form below 1e-4 or from 1e6.</summary>
    public static string GoFloat(double d, bool allowExponent = true)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "+Inf";
        if (double.IsNegativeInfinity(d)) return "-Inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";
        // Shortest round-trip digits come from "R"; reparse them into digits + decimal exponent.
        string shortest = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        int ePos = shortest.IndexOf('E', StringComparison.Ordinal);
        string mantissa = ePos >= 0 ? shortest[..ePos] : shortest;
        int exp10 = ePos >= 0 ? int.Parse(shortest.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        string digits = (intPart + fracPart).TrimStart('0');
        int leadingZeros = (intPart + fracPart).Length - digits.Length;
        int dp = intPart.Length + exp10 - leadingZeros; // decimal point position relative to digits
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var sb = new StringBuilder();
        if (d < 0) sb.Append('-');
        int x = dp - 1;
        if (allowExponent && (x < -4 || x >= 6))
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(x < 0 ? '-' : '+');
            int ax = Math.Abs(x);
            if (ax < 10) sb.Append('0');
            sb.Append(ax.ToString(CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }
        return sb.ToString();
    }
}
