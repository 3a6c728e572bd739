// podman runs on Linux only; unix file modes guard secret files.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
