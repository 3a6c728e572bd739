// The suite checks Unix file modes of secrets; the platform runs on Linux.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
