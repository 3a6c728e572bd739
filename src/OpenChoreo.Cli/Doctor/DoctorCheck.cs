namespace OpenChoreo.Cli.Doctor;

public enum CheckStatus { Pass, Warn, Fail }

/// <summary>One line of <c>occ doctor</c>: what was checked, the verdict, what was seen, and how to fix it.</summary>
public sealed record DoctorCheck(string Area, string Subject, CheckStatus Status, string Detail, string? Fix = null)
{
    public static DoctorCheck Pass(string area, string subject, string detail) => new(area, subject, CheckStatus.Pass, detail);

    public static DoctorCheck Warn(string area, string subject, string detail, string fix) => new(area, subject, CheckStatus.Warn, detail, fix);

    public static DoctorCheck Fail(string area, string subject, string detail, string fix) => new(area, subject, CheckStatus.Fail, detail, fix);
}
